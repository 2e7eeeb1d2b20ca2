import { ApiError } from './api';

/** Labels for the fields a refused body names, to say which one is wrong. */
const FIELD_LABELS: Record<string, string> = {
  phone: '手机号',
  code: '验证码',
  accountNo: '户号',
  holderName: '户主姓名',
  phoneLast4: '手机后四位',
  contactPhone: '联系电话',
  contactName: '联系人',
  address: '地址',
  description: '情况描述',
};

/** The server's (English, zod) messages a person meets, in Chinese; Chinese messages pass through. */
const TRANSLATED: Array<[RegExp, string]> = [
  [/11-digit mainland mobile/, '请填写正确的 11 位手机号'],
  [/6 digits|6-digit/, '请填写 6 位数字验证码'],
  [/10 digits|10-digit/, '请填写 10 位户号'],
];
const HAS_CHINESE = /[\u4e00-\u9fff]/;

function chinese(field: string, message: string): string {
  if (HAS_CHINESE.test(message)) return message;
  const known = TRANSLATED.find(([pattern]) => pattern.test(message));
  if (known) return known[1];
  return `${FIELD_LABELS[field] ?? '填写的内容'}有误`;
}

/**
 * Per-field messages from a VALIDATION_FAILED reply: each issue's path (`body.phone`,
 * `body.form.contactPhone`) names the field by its last part; the first message per field wins.
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') return {};
  const issues = (error.details as { issues?: Array<{ path?: unknown; message?: unknown }> } | undefined)?.issues;
  const fields: Record<string, string> = {};
  for (const issue of Array.isArray(issues) ? issues : []) {
    if (typeof issue.path !== 'string') continue;
    const field = issue.path.split('.').pop()!;
    fields[field] ??= chinese(field, typeof issue.message === 'string' ? issue.message : '');
  }
  return fields;
}

/** The seconds a RATE_LIMITED or SMS_CODE_LOCKED reply asks the customer to wait, when it says. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : undefined;
}

/** The wait stated in seconds, for the messages that make the customer wait. */
export function waitText(code: string, seconds: number | undefined): string | undefined {
  if (code === 'SMS_CODE_LOCKED') return seconds ? `连续输错 5 次，请 ${seconds} 秒后重新获取验证码` : '连续输错 5 次，请重新获取验证码';
  if (code === 'RATE_LIMITED') return seconds ? `操作太频繁，请 ${seconds} 秒后再试` : '操作太频繁，请稍后再试';
  return undefined;
}
