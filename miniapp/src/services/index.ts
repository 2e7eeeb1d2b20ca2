import { platform } from '../platform';
import { ApiError, createApiClient } from './api';
import { createSession } from './session';

import { fieldErrorsOf, retryAfterOf, waitText } from './errors';

export { ApiError } from './api';
export { fieldErrorsOf, retryAfterOf, waitText } from './errors';
export type { ApiResponse } from './api';

export const session = createSession({ baseUrl: API_BASE, platform });
export const api = createApiClient({ baseUrl: API_BASE, platform, session });

/** What a person reads for each stable error code the pages meet. */
const MESSAGES: Record<string, string> = {
  NETWORK: '网络连接失败，请检查网络后重试',
  VALIDATION_FAILED: '填写的内容有误，请检查后重试',
  SMS_CODE_INVALID: '验证码错误或已过期',
  SMS_SEND_FAILED: '短信发送失败，请稍后重试',
  WECHAT_CODE_INVALID: '微信登录失败，请重试',
  WECHAT_CODE_USED: '微信登录失败，请重试',
  BIND_VERIFICATION_FAILED: '户号与填写的信息不一致',
  ACCOUNT_LIMIT_REACHED: '最多可绑定 10 个户号',
  UNAUTHENTICATED: '请先登录',
  NOT_FOUND: '没有找到相关记录',
  NOT_PREPAID: '该户号不是预付费户号，无需设置余额提醒',
  NO_WECHAT_LOGIN: '请使用微信登录后再订阅通知',
  NO_PHONE: '账号未关联手机号，无法开启短信通知',
  IDEMPOTENCY_KEY_REUSED: '这份申请已经提交过，请到“我的工单”查看',
  TRANSITION_REFUSED: '工单进度已变化，请刷新后查看',
  DOCUMENT_TOO_LARGE: '文件不能超过 5 MB',
  NOTHING_TO_PAY: '该户号暂无应缴电费',
  RECEIVABLE_NOT_OPEN: '账单状态已变化，请刷新后重试',
  PAYMENT_GATEWAY_FAILED: '支付机构暂时无法受理，请稍后重试',
  PAYMENT_CHANNEL_UNAVAILABLE: '该支付方式暂未开通',
  DOCUMENT_TYPE_REFUSED: '只能上传 JPG、PNG 照片或 PDF 文件',
  DOCUMENT_INVALID: '文件上传失败，请重新选择',
};

/** What a person should read for a failed call. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const wait = waitText(error.code, retryAfterOf(error));
    if (wait) return wait;
    // A refused field is named with its own message, not a generic "something is wrong".
    const [field] = Object.values(fieldErrorsOf(error));
    if (field) return field;
    const known = MESSAGES[error.code];
    if (known) return known;
    if (error.status >= 500) return '服务暂时不可用，请稍后重试';
    return error.message;
  }
  return '出现了意外错误，请稍后重试';
}
