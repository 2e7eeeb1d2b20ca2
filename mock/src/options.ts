import type { Config } from '../../server/src/config';
import { loadOrCreatePaymentKeys } from '../../shared/node/payment-keys';
import type { MockOptions } from './server';

/**
 * The mock peers configured as the server expects them (`npm start`, `npm run mock`): the same
 * credentials and ids, and the payment keys kept in `$DATA_DIR/payment-keys.json`, which the
 * server also reads when no real keys are configured.
 */
export async function mockOptionsFrom(config: Config): Promise<MockOptions> {
  return {
    port: config.mocks.port,
    backofficeSecret: config.backoffice.secret,
    wechat: { appId: config.wechat.appId, secret: config.wechat.secret },
    smsApiKey: config.sms.apiKey,
    amiApiKey: config.ami.apiKey,
    payments: {
      keys: await loadOrCreatePaymentKeys(config.dataDir),
      wechatPay: { mchId: config.wechatPay.mchId, appId: config.wechatPay.appId },
      alipay: { appId: config.alipay.appId, sellerId: config.alipay.sellerId },
      timeScale: config.mocks.paymentTimeScale,
    },
  };
}
