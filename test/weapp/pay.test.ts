import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFen } from '../../shared/money';
import { request, startTestApp, type TestApp } from '../support/harness';
import { bindDemoAccount } from '../support/identity';
import { oweBills } from '../support/receivables';
import { launchWeapp, wechatLogin, type MiniProgram } from '../support/weapp';

// A resident pays from the mini-program's pay page: the server makes a JSAPI order, the page hands
// its signed parameters to wx.requestPayment (played by the mock gateway, which checks paySign as
// the WeChat client does), and the result page shows what the server learned from the gateway.
let app: TestApp;
let mp: MiniProgram;
let accountId: number;
const pool = () => app.runtime.deps.database.pool;
const PAY_PAGE = 'packages/payments/pages/index/index';

beforeAll(async () => {
  app = await startTestApp();
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
  const customer = await wechatLogin(app, `o_weapp_pay_${process.pid}`);
  await bindDemoAccount(app, customer, '3301000001');
  mp = await launchWeapp(app, { url: 'pages/home/index', session: customer });
});
afterAll(async () => {
  mp?.close();
  await app?.stop();
});

async function latestOrder() {
  const { rows } = await pool().query(
    'SELECT id, state, channel, amount_fen AS "amountFen" FROM payment_orders WHERE account_id = $1 ORDER BY id DESC LIMIT 1',
    [accountId],
  );
  return rows[0] as { id: number; state: string; channel: string; amountFen: number } | undefined;
}

describe('mini-program payments in the WeChat runtime', () => {
  it('pays a bill with 微信支付: a wechat_jsapi order, wx.requestPayment with its signed parameters, 支付成功 from the server', async () => {
    ({ accountId } = await oweBills(pool(), '3301000001', [{ month: '2025-07', principalFen: 4_321 }]));
    // From the home page's entry grid into the payments subpackage.
    await mp.page.tap('电费缴纳');
    expect(mp.routes).toEqual(['pages/home/index', PAY_PAGE]);
    const pay = mp.page;
    await pay.waitForText(formatFen(4_321));
    await pay.tap('微信支付');

    await expect.poll(() => mp.routes).toEqual(['pages/home/index', 'packages/payments/pages/result/index']);
    const order = (await latestOrder())!;
    expect(order).toMatchObject({ channel: 'wechat_jsapi', amountFen: 4_321 });
    expect(mp.page.instance.options).toEqual({ id: String(order.id) });
    expect(mp.record.payments).toHaveLength(1);
    expect(mp.record.payments[0]).toMatchObject({ errMsg: 'requestPayment:ok', params: { signType: 'RSA', package: expect.stringMatching(/^prepay_id=/) } });

    await mp.page.waitForText('支付成功', 15_000);
    expect(mp.page.text()).toContain(formatFen(4_321));
    expect(await latestOrder()).toMatchObject({ state: 'PAID' });
    const { rows } = await pool().query('SELECT count(*)::int AS n FROM receivables WHERE account_id = $1 AND settled_at IS NULL', [accountId]);
    expect(rows[0].n).toBe(0);
  });

  it('closing the payment sheet shows 已取消支付 on the result page, with the order closed and the bill still owed', async () => {
    await oweBills(pool(), '3301000001', [{ month: '2025-08', principalFen: 1_999 }]);
    await mp.reLaunch(`/${PAY_PAGE}`);
    await mp.page.waitForText(formatFen(1_999));
    mp.record.payer = 'cancel';
    await mp.page.tap('微信支付');

    await expect.poll(() => mp.routes).toEqual(['packages/payments/pages/result/index']);
    await mp.page.waitForText('已取消支付', 15_000);
    expect(mp.page.text()).toContain('再次支付');
    expect(mp.record.payments.at(-1)).toMatchObject({ errMsg: 'requestPayment:fail cancel' });
    expect(await latestOrder()).toMatchObject({ channel: 'wechat_jsapi', amountFen: 1_999, state: 'CLOSED' });
  });
});
