import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

/** Topics a customer can agree to hear about; each maps to one subscribe-message template. */
export const NotificationTopic = z.enum(['outage', 'workorder', 'payment']);
export type NotificationTopic = z.infer<typeof NotificationTopic>;

export const NotificationPreferences = z
  .object({
    /** Whether the customer can receive each channel at all: WeChat needs a mini-program login, SMS a phone. */
    channels: z.object({ wechat: z.boolean(), sms: z.boolean() }),
    topics: z.array(
      z.object({
        topic: NotificationTopic,
        templateId: z.string(),
        /** One-time subscribe-message grants left: each message sent uses one. */
        wechatGrants: z.number().int().nonnegative(),
        sms: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const getNotificationPreferences = defineEndpoint({
  ...routes.getNotificationPreferences,
  summary: "The caller's notification consents: subscribe-message grants left and SMS opt-ins per topic",
  tag: 'notifications',
  auth: 'customer',
  response: z.object({ preferences: NotificationPreferences }),
});

export const recordWechatConsent = defineEndpoint({
  ...routes.recordWechatConsent,
  summary: 'Record the result of wx.requestSubscribeMessage as the mini-program received it: each "accept" is one one-time grant',
  tag: 'notifications',
  auth: 'customer',
  body: z.object({ results: z.record(z.string().min(1).max(64), z.enum(['accept', 'reject', 'ban', 'filter'])) }),
  response: z.object({ preferences: NotificationPreferences }),
  statuses: { 409: 'the customer has no mini-program login (no openid)' },
});

export const setSmsOptIn = defineEndpoint({
  ...routes.setSmsOptIn,
  summary: 'Turn SMS notifications for a topic on or off (H5 customers)',
  tag: 'notifications',
  auth: 'customer',
  body: z.object({ topic: NotificationTopic, enabled: z.boolean() }),
  response: z.object({ preferences: NotificationPreferences }),
  statuses: { 409: 'the customer has no phone number to send to' },
});
