/**
 * The UI contract as the rest of the UI imports it: re-exports of the bindings generated from
 * `kefu-ipc` (never edited by hand), so views and state classes have one place to import from.
 */
export type { ColleagueReplyDto } from './generated/ColleagueReplyDto';
export type { ConversationActivityDto } from './generated/ConversationActivityDto';
export type { CustomerDto } from './generated/CustomerDto';
export type { CustomerSessionDto } from './generated/CustomerSessionDto';
export type { LastMessageDto } from './generated/LastMessageDto';
export type { CustomerSourceDto } from './generated/CustomerSourceDto';
export type { HealthDto } from './generated/HealthDto';
export type { MediaRef } from './generated/MediaRef';
export type { MessageContent } from './generated/MessageContent';
export type { MessageContextRequest } from './generated/MessageContextRequest';
export type { MessageContextResponse } from './generated/MessageContextResponse';
export type { MessageDto } from './generated/MessageDto';
export type { MessageListRequest } from './generated/MessageListRequest';
export type { MessageListResponse } from './generated/MessageListResponse';
export type { NotificationSettingsDto } from './generated/NotificationSettingsDto';
export type { NotificationState } from './generated/NotificationState';
export type { SearchHitDto } from './generated/SearchHitDto';
export type { SearchRequest } from './generated/SearchRequest';
export type { SearchResponse } from './generated/SearchResponse';
export type { SearchSender } from './generated/SearchSender';
export type { ServicerDto } from './generated/ServicerDto';
export type { ServicerListResponse } from './generated/ServicerListResponse';
export type { PresenceSetRequest } from './generated/PresenceSetRequest';
export type { FiguresDto } from './generated/FiguresDto';
export type { ReportDto } from './generated/ReportDto';
export type { ReportRequest } from './generated/ReportRequest';
export type { SessionRef } from './generated/SessionRef';
export type { SettingsDto } from './generated/SettingsDto';
export type { SettingsSetRequest } from './generated/SettingsSetRequest';
export type { SettingsSetResponse } from './generated/SettingsSetResponse';
export type { SnippetSegment } from './generated/SnippetSegment';
export type { SyncState } from './generated/SyncState';
export type { TeamHealthDto } from './generated/TeamHealthDto';
export type { UiEvent } from './generated/UiEvent';
