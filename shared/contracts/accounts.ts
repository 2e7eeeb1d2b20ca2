import { z } from 'zod';
import { routes } from '../routes';
import { SmsCode } from './auth';
import { defineEndpoint } from './endpoint';

export const AccountNo = z.string().regex(/^\d{10}$/, 'must be the 10-digit account number on the bill');
export const CustomerClass = z.enum(['residential', 'commercial', 'large_industry', 'agricultural']);
const AccountParams = z.object({ accountId: z.coerce.number().int().positive() });

export const Account = z
  .object({
    id: z.number().int(),
    accountNo: z.string(),
    holderNameMasked: z.string(),
    addressMasked: z.string(),
    customerClass: CustomerClass,
    isDefault: z.boolean(),
  })
  .meta({ id: 'Account' });
export type Account = z.infer<typeof Account>;

export const listAccounts = defineEndpoint({
  ...routes.listAccounts,
  summary: 'Electricity accounts bound to the calling customer (names and addresses masked)',
  tag: 'accounts',
  auth: 'customer',
  response: z.object({ accounts: z.array(Account), limit: z.number().int() }),
});

export const sendBindCode = defineEndpoint({
  ...routes.sendBindCode,
  summary: "Send a binding code to the account's phone on file; the reply is the same whether or not the account exists",
  tag: 'accounts',
  auth: 'customer',
  body: z.object({ accountNo: AccountNo }),
  response: z.object({ sent: z.literal(true), expiresInSeconds: z.number().int() }),
});

export const BindRequest = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('holder'),
    accountNo: AccountNo,
    holderName: z.string().trim().min(1).max(50),
    phoneLast4: z.string().regex(/^\d{4}$/, 'must be 4 digits'),
  }),
  z.object({ method: z.literal('sms'), accountNo: AccountNo, code: SmsCode }),
]);

export const bindAccount = defineEndpoint({
  ...routes.bindAccount,
  summary: 'Bind an account, proven by holder name + last 4 phone digits, or by a code sent to the phone on file',
  tag: 'accounts',
  auth: 'customer',
  body: BindRequest,
  response: z.object({ account: Account }),
  statuses: { 400: 'verification failed (never says which part)', 409: 'ten accounts already bound', 429: 'too many failures' },
});

export const getAccount = defineEndpoint({
  ...routes.getAccount,
  summary: 'One bound account',
  tag: 'accounts',
  auth: 'customer',
  scope: 'account',
  params: AccountParams,
  response: z.object({ account: Account }),
  statuses: { 404: 'not found or not bound to the caller' },
});

export const unbindAccount = defineEndpoint({
  ...routes.unbindAccount,
  summary: 'Unbind an account from the calling customer',
  tag: 'accounts',
  auth: 'customer',
  scope: 'account',
  params: AccountParams,
  response: z.object({ ok: z.literal(true) }),
  statuses: { 404: 'not found or not bound to the caller' },
});

export const setDefaultAccount = defineEndpoint({
  ...routes.setDefaultAccount,
  summary: "Make an account the caller's default",
  tag: 'accounts',
  auth: 'customer',
  scope: 'account',
  params: AccountParams,
  response: z.object({ account: Account }),
  statuses: { 404: 'not found or not bound to the caller' },
});
