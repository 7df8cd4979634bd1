import type { Messages } from './zh-CN';

export const en: Messages = {
  'app.title': 'Kefu Desk',
  'app.version': 'Version {version}',

  'lang.toggle': 'Switch language',
  'lang.zhCN': '中文',
  'lang.en': 'English',

  'status.connecting': 'Connecting…',
  'status.demo': 'Demo mode · built-in emulator',
  'status.live': 'Connected to {apiBase}',
  'status.offline': 'Not connected',

  'error.NO_BACKEND': 'No desktop backend found (running in a browser)',
  'error.unknown': 'Unknown error',

  'queue.label': 'Queues',
  'queue.waiting': 'Waiting',
  'queue.waiting.empty': 'No customers waiting',
  'queue.mine': 'Mine',
  'queue.mine.empty': 'You have no conversations yet',
  'queue.wecom': 'In WeCom',
  'queue.wecom.empty': 'No conversations handled in WeCom',
  'queue.ended': 'Ended',
  'queue.ended.empty': 'No ended conversations',

  'conversation.label': 'Conversation',
  'conversation.placeholder': 'Select a conversation to start',
  'conversation.placeholderHint': 'Pick a customer from the queues on the left; messages appear here.',

  'customer.label': 'Customer',
  'customer.placeholder': 'No customer selected',
};
