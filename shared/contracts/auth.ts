import { z } from 'zod';
import { CONSENT_VERSIONS } from '../consent';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

/** Mainland mobile numbers: 11 digits starting 13–19. */
export const Phone = z.string().regex(/^1[3-9]\d{9}$/, 'must be an 11-digit mainland mobile number');
export const SmsCode = z.string().regex(/^\d{6}$/, 'must be 6 digits');

/** Every login names the version the customer ticked "我已阅读并同意" for; the server records it. */
const ConsentVersion = z.enum(CONSENT_VERSIONS);

export const SessionResponse = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    expiresIn: z.number().int().positive(),
    refreshToken: z.string(),
    refreshExpiresAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Session' });

const RefreshBody = z.object({ refreshToken: z.string().min(10).max(200) });
const Ok = z.object({ ok: z.literal(true) });

export const loginWechat = defineEndpoint({
  ...routes.loginWechat,
  summary: 'Mini-program login with the code from wx.login; creates the customer on first login',
  tag: 'auth',
  auth: 'none',
  body: z.object({ code: z.string().min(1).max(128), consentVersion: ConsentVersion }),
  response: SessionResponse,
});

export const sendSmsCode = defineEndpoint({
  ...routes.sendSmsCode,
  summary: 'Send a 6-digit login code (valid 5 minutes; 1 per minute and 5 per hour per phone, 20 per hour per IP)',
  tag: 'auth',
  auth: 'none',
  body: z.object({ phone: Phone, purpose: z.enum(['login', 'link']).default('login') }),
  response: z.object({ sent: z.literal(true), expiresInSeconds: z.number().int() }),
  statuses: { 429: 'too many codes requested', 502: 'the SMS gateway failed' },
});

export const loginSms = defineEndpoint({
  ...routes.loginSms,
  summary: 'H5 login with phone and SMS code; five wrong codes lock the code',
  tag: 'auth',
  auth: 'none',
  body: z.object({ phone: Phone, code: SmsCode, consentVersion: ConsentVersion }),
  response: SessionResponse,
});

export const refreshSession = defineEndpoint({
  ...routes.refreshSession,
  summary: 'Rotate a customer refresh token; reusing a rotated token ends the whole session family',
  tag: 'auth',
  auth: 'none',
  body: RefreshBody,
  response: SessionResponse,
  statuses: { 401: 'refresh token invalid, expired or reused' },
});

export const logout = defineEndpoint({
  ...routes.logout,
  summary: 'End the session the refresh token belongs to',
  tag: 'auth',
  auth: 'none',
  body: RefreshBody,
  response: Ok,
});

export const Profile = z
  .object({
    id: z.number().int(),
    phoneMasked: z.string().nullable(),
    /** The caller's own number in full, to pre-fill the contact phone of their forms. */
    phone: z.string().nullable(),
    hasWechat: z.boolean(),
    accountCount: z.number().int(),
  })
  .meta({ id: 'Profile' });

export const getProfile = defineEndpoint({
  ...routes.getProfile,
  summary: "The calling customer's profile",
  tag: 'auth',
  auth: 'customer',
  response: Profile,
});

export const linkPhone = defineEndpoint({
  ...routes.linkPhone,
  summary: 'Link a phone number (proven by an SMS code sent with purpose "link") to the calling customer',
  tag: 'auth',
  auth: 'customer',
  body: z.object({ phone: Phone, code: SmsCode }),
  response: Ok,
  statuses: { 409: 'the phone belongs to another customer' },
});

export const staffLogin = defineEndpoint({
  ...routes.staffLogin,
  summary: 'Staff password login (5 failures per 15 minutes per username and IP)',
  tag: 'staff',
  auth: 'none',
  body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
  response: SessionResponse,
  statuses: { 401: 'wrong username or password', 429: 'too many failures' },
});

export const staffRefresh = defineEndpoint({
  ...routes.staffRefresh,
  summary: 'Rotate a staff refresh token',
  tag: 'staff',
  auth: 'none',
  body: RefreshBody,
  response: SessionResponse,
});

export const staffProfile = defineEndpoint({
  ...routes.staffProfile,
  summary: 'The calling staff member',
  tag: 'staff',
  auth: 'staff',
  response: z.object({ id: z.number().int(), username: z.string(), displayName: z.string(), roles: z.array(z.string()) }),
});
