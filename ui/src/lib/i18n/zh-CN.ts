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
  'error.UNKNOWN_COMMAND': '未知的后端命令',
  'error.BAD_REQUEST': '请求无效',
  'error.NO_SESSION': '会话不存在',
  'error.SESSION_ENDED': '会话已结束',
  'error.IN_WECOM': '该会话正在企业微信中处理',
  'error.WINDOW_CLOSED': '48 小时回复窗口已关闭',
  'error.QUOTA_USED': '本轮回复次数已用完（最多 5 条）',
  'error.NOT_WAITING': '该客户已不在等待队列中',
  'error.NOT_MINE': '该会话不属于你',
  'error.STORAGE': '本地存储出错',
  'error.NETWORK': '网络错误',
  'error.INTERNAL': '内部错误',
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

  'queue.waitingSeconds': '等待 {n} 秒',
  'queue.waitingMinutes': '等待 {n} 分钟',
  'queue.waitingHours': '等待 {h} 小时 {m} 分钟',
  'queue.loadFailed': '无法加载会话：{error}',

  'conversation.label': '会话',
  'conversation.placeholder': '选择一个会话开始',
  'conversation.placeholderHint': '从左侧队列中选择客户，消息将显示在这里。',

  'conversation.loading': '正在加载消息…',
  'conversation.empty': '暂无消息',
  'conversation.claim': '接入',
  'conversation.claimHint': '该客户正在等待，接入后即可回复。',
  'conversation.readOnly': '该会话不在你的名下，只能查看。',
  'conversation.composerPlaceholder': '输入回复，Enter 发送，Shift+Enter 换行',
  'conversation.send': '发送',
  'conversation.repliesLeft': '剩余 {n}/{total} 条回复',
  'conversation.repliesLastHint': '这是本轮最后一条可发送的回复',
  'conversation.repliesNoneHint': '本轮回复次数已用完，等待客户再次发消息',
  'conversation.windowLeft': '窗口剩余 {h} 小时 {m} 分',
  'conversation.windowLeftMinutes': '窗口剩余 {m} 分',
  'conversation.windowClosed': '48 小时窗口已关闭',
  'conversation.windowHint': '48 小时回复窗口：客户最后一条消息后 48 小时内可回复',
  'conversation.error': '操作失败：{error}',

  'message.recalled': '[消息已撤回]',
  'message.type.image': '[图片]',
  'message.type.voice': '[语音]',
  'message.type.video': '[视频]',
  'message.type.file': '[文件]',
  'message.type.location': '[位置]',
  'message.type.link': '[链接]',
  'message.type.business_card': '[名片]',
  'message.type.miniprogram': '[小程序]',
  'message.type.msgmenu': '[菜单消息]',
  'message.type.event': '[事件]',
  'message.type.other': '[{msgtype}]',

  'delivery.queued': '发送中',
  'delivery.sent': '已发送',
  'delivery.failed': '发送失败',
  'delivery.unknown': '{state}',

  'customer.label': '客户信息',
  'customer.placeholder': '未选择客户',
} as const;

export type MessageKey = keyof typeof zhCN;
export type Messages = Record<MessageKey, string>;
