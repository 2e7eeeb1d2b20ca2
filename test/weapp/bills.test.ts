import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFen } from '../../shared/money';
import { startTestApp, type TestApp } from '../support/harness';
import { bindDemoAccount } from '../support/identity';
import { launchWeapp, wechatLogin, type MiniProgram } from '../support/weapp';

// The demo resident's year of bills (made at start-up from the mock metering system), in the mini-program.
let app: TestApp;
let mp: MiniProgram;
let accountId: number;
let bills: Array<{ month: string; amountFen: number }>;

beforeAll(async () => {
  app = await startTestApp({ env: { DEMO_HISTORY: 'on' } });
  const customer = await wechatLogin(app, `o_weapp_bills_${process.pid}`);
  accountId = await bindDemoAccount(app, customer, '3301000001');
  const overview = await app.request('GET', `/api/bills/${accountId}`, { headers: customer.auth });
  bills = overview.body.bills;
  mp = await launchWeapp(app, { url: 'pages/bills/index', session: customer });
}, 120_000);
afterAll(async () => {
  mp?.close();
  await app?.stop();
});

const monthText = (month: string) => `${month.slice(0, 4)} 年 ${Number(month.slice(5, 7))} 月`;

describe('mini-program bills in the WeChat runtime', () => {
  it('lists the bound account’s bills with month and amount, as the server has them', async () => {
    expect(bills.length).toBeGreaterThanOrEqual(6);
    const page = mp.page;
    await page.waitForText('账单记录');
    await page.waitForText(monthText(bills[0]!.month));
    const rows = page.all('bill-row');
    expect(rows.map((row) => row.element.querySelector('.bill-row__month')?.textContent)).toEqual(bills.map((bill) => monthText(bill.month)));
    expect(rows.map((row) => row.element.querySelector('.bill-row__amount')?.textContent)).toEqual(bills.map((bill) => formatFen(bill.amountFen)));
    expect(page.text()).toContain('户号 3301000001');
  });

  it('opens a bill’s detail page in its subpackage from a tap on its row', async () => {
    const newest = bills[0]!;
    await mp.page.tap(monthText(newest.month), { within: 'bill-row' });
    expect(mp.routes).toEqual(['pages/bills/index', 'packages/bills/pages/detail/index']);
    expect(mp.page.instance.options).toEqual({ accountId: String(accountId), month: newest.month });
    const detail = await mp.page.waitForText(formatFen(newest.amountFen));
    expect(detail).toContain(monthText(newest.month));
  });
});
