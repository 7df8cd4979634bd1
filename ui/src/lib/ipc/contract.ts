/**
 * Contract types the UI uses that the generated bindings do not declare (yet). Each one mirrors a
 * command or DTO of `kefu-ipc`; when its binding lands in `generated/`, the local declaration here
 * is replaced by a re-export of it, so the rest of the UI keeps importing from this module.
 * Fields that older backends do not send are optional here and read defensively
 * (see `conversation/content.ts`): a missing field is treated as absent, never as an error.
 */
import type { MessageDto as GeneratedMessageDto } from './generated/MessageDto';
import type { SessionRef } from './generated/SessionRef';
import type { UiEvent as GeneratedUiEvent } from './generated/UiEvent';

export type { SessionRef };

/** A media file of a message. */
export interface MediaRef {
  /** pending | stored | failed. */
  state: string;
  /** A URL the window may load, once stored. */
  url: string | null;
  contentType: string | null;
  size: number | null;
}

/** A message with the fields the extended contract adds. */
export type MessageDto = GeneratedMessageDto & {
  /** Store row id: the keyset paging key (`beforeId`). */
  id?: number;
  /** The colleague in WeCom (origin 5). */
  servicerUserid?: string | null;
  /** The body, tagged by `kind` (read by `conversation/content.ts`). */
  content?: unknown;
  media?: MediaRef | null;
  /** Why our reply failed, in English. */
  failReason?: string | null;
};

export interface MessageListRequest {
  openKfid?: string;
  externalUserid: string;
  limit?: number;
  beforeId?: number;
}

export interface MessageListResponse {
  /** Oldest → newest. */
  messages: MessageDto[];
  /** Older messages exist before the first one. */
  hasMore?: boolean;
}

export interface MessageContextRequest {
  openKfid: string;
  msgid: string;
  radius?: number;
}

export interface MessageContextResponse {
  /** Oldest → newest, the message itself included. */
  messages: MessageDto[];
  anchorId?: number;
  hasMoreBefore?: boolean;
  hasMoreAfter?: boolean;
}

export interface CustomerSourceDto {
  openKfid: string;
  at: number;
  scene: string | null;
  sceneParam: string | null;
  channelsScene: number | null;
  channelsNickname: string | null;
}

export interface CustomerSessionDto {
  openKfid: string;
  accountName: string | null;
  firstMessageAt: number;
  lastMessageAt: number;
  messageCount: number;
  /** open | agent | wecom | expired. */
  end: string;
  endedAt: number | null;
  endedBy: string | null;
}

export interface CustomerDto {
  externalUserid: string;
  nickname: string | null;
  /** A remote image URL. */
  avatar: string | null;
  /** 0 unknown, 1 male, 2 female. */
  gender: number;
  source: CustomerSourceDto | null;
  note: string;
  tags: string[];
  /** Newest first. */
  sessions: CustomerSessionDto[];
}

export interface ServicerDto {
  userid: string;
  /** 0 receiving, 1 stopped (`kf/servicer/list`'s encoding), when known. */
  status: number | null;
}

export interface ServicerListResponse {
  servicers: ServicerDto[];
}

export interface NotificationSettingsDto {
  enabled: boolean;
  /** 0 = no repeat. */
  repeatSeconds: number;
  sound: boolean;
}

export interface SettingsDto {
  corpId: string;
  /** A secret is stored in the keyring (the secret itself never comes back). */
  hasSecret: boolean;
  openKfids: string[];
  agentName: string;
  welcomeText: string;
  notifications: NotificationSettingsDto;
  language: string;
  theme: string;
}

/** `settings_set`: only the fields given change; `secret` is write-only ("" removes it). */
export interface SettingsSetRequest {
  corpId?: string;
  secret?: string;
  openKfids?: string[];
  agentName?: string;
  welcomeText?: string;
  notifications?: NotificationSettingsDto;
  language?: string;
  theme?: string;
}

export interface SettingsSetResponse {
  settings: SettingsDto;
  restartRequired: boolean;
}

export type SyncState = 'online' | 'syncing' | 'offline' | 'historyAtRisk';
export type NotificationState = 'available' | 'unavailable';

export interface HealthDto {
  sync: SyncState;
  offlineSince: number | null;
  lastSyncAt: number | null;
  /** Replies waiting to be sent. */
  outboxQueued: number;
  notifications: NotificationState;
  waitingCount: number;
}

/** Whose messages to search. */
export type SearchSender = 'customer' | 'agent';

export interface SearchRequest {
  query: string;
  limit?: number;
  openKfid?: string;
  externalUserid?: string;
  since?: number;
  until?: number;
  sender?: SearchSender;
  /** `nextBefore` of the previous page. */
  before?: number;
}

export interface SnippetSegment {
  text: string;
  hit: boolean;
}

export interface SearchHitDto {
  message: MessageDto;
  nickname: string | null;
  snippet: SnippetSegment[];
}

export interface SearchResponse {
  /** Newest first. */
  hits: SearchHitDto[];
  nextBefore: number | null;
}

/** Every UI event: the generated ones plus those being added. */
export type UiEvent =
  | GeneratedUiEvent
  | { kind: 'health'; health: HealthDto }
  | { kind: 'focusConversation'; openKfid: string; externalUserid: string };
