/**
 * zh-CN: the first language and the source of the key set. Every other locale is typed
 * `Messages`, so a missing or extra key fails `npm run check` before the i18n test runs.
 * Placeholders are `{name}`; they are filled as text, never as HTML.
 */
export const zhCN = {
  'app.title': '客服台',
  'app.version': '版本 {version}',

  'lang.toggle': '切换语言',
  'lang.zhCN': '中文',
  'lang.en': 'English',

  'status.connecting': '正在连接…',
  'status.demo': '演示模式 · 内置模拟器',
  'status.live': '已连接 {apiBase}',
  'status.offline': '未连接',

  'error.NO_BACKEND': '未检测到桌面后端（当前在浏览器中运行）',
  'error.unknown': '未知错误',

  'queue.label': '会话队列',
  'queue.waiting': '等待中',
  'queue.waiting.empty': '暂无等待接入的客户',
  'queue.mine': '我的',
  'queue.mine.empty': '你还没有接入会话',
  'queue.wecom': '企业微信中',
  'queue.wecom.empty': '没有在企业微信中处理的会话',
  'queue.ended': '已结束',
  'queue.ended.empty': '暂无已结束的会话',

  'conversation.label': '会话',
  'conversation.placeholder': '选择一个会话开始',
  'conversation.placeholderHint': '从左侧队列中选择客户，消息将显示在这里。',

  'customer.label': '客户信息',
  'customer.placeholder': '未选择客户',
} as const;

export type MessageKey = keyof typeof zhCN;
export type Messages = Record<MessageKey, string>;
