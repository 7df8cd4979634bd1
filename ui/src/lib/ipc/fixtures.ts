/**
 * Contract values for unit tests: a complete `MessageDto` from the fields a test cares about.
 * (Only tests import this module.)
 */
import type { MessageDto } from './contract';

export function messageDto(extra: Omit<Partial<MessageDto>, 'content'> & { content?: unknown } = {}): MessageDto {
  const text = extra.text ?? 'hi';
  return {
    id: 1,
    msgid: 'm1',
    openKfid: 'wk1',
    externalUserid: 'c1',
    sendTime: 1,
    origin: 3,
    msgtype: 'text',
    servicerUserid: null,
    text,
    content: { kind: 'text', text: text ?? '', menuId: null },
    media: null,
    recalled: false,
    delivery: null,
    failReason: null,
    sentBy: null,
    ...extra,
  } as MessageDto;
}
