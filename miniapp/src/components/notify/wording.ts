import type { NotificationTopic } from '../../../../shared/contracts/notifications';

/** What the notification card says for one topic. */
export interface NotifyWording {
  title: string;
  /** The text-message switch's label. */
  sms: string;
  smsExplain: string;
  /** The subscribe button in the mini-program. */
  subscribe: string;
  wechatExplain: string;
  /** Said when the customer did not accept in WeChat's dialog. */
  rejected: string;
  unavailable: string;
  noPhone: string;
}

export const WORDING: Record<NotificationTopic, NotifyWording> = {
  outage: {
    title: '停电通知',
    sms: '短信通知停电',
    smsExplain: '开启后，您户号的停电安排、时间变更和恢复供电会以短信发送到登录手机号。',
    subscribe: '订阅停电通知',
    wechatExplain: '微信的订阅是一次性的：每同意一次，可收到一条停电通知，发出后即用掉一次。停电发布、时间变更和恢复供电各发一条，可多次点击订阅，以免错过。',
    rejected: '您没有同意接收停电通知，需要时可再次点击订阅',
    unavailable: '停电通知暂未开放，请留意本页公告',
    noPhone: '登录账号未关联手机号，暂时无法接收停电通知',
  },
  workorder: {
    title: '进度通知',
    sms: '短信通知办理进度',
    smsExplain: '开启后，您办理的业务每进入一个新环节、需要补充资料或办结时，会以短信发送到登录手机号。',
    subscribe: '订阅进度通知',
    wechatExplain: '微信的订阅是一次性的：每同意一次，可收到一条进度通知，发出后即用掉一次。业务每进入一个新环节发一条，可多次点击订阅，以免错过。',
    rejected: '您没有同意接收进度通知，需要时可再次点击订阅',
    unavailable: '进度通知暂未开放',
    noPhone: '登录账号未关联手机号，暂时无法接收进度通知',
  },
  payment: {
    title: '缴费通知',
    sms: '短信通知缴费结果',
    smsExplain: '开启后，每笔线上缴费到账后，会以短信发送到登录手机号。',
    subscribe: '订阅缴费通知',
    wechatExplain: '微信的订阅是一次性的：每同意一次，可收到一条缴费到账通知，发出后即用掉一次。',
    rejected: '您没有同意接收缴费通知，需要时可再次点击订阅',
    unavailable: '缴费通知暂未开放',
    noPhone: '登录账号未关联手机号，暂时无法接收缴费通知',
  },
};
