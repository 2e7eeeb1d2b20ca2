import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Bills from '../../miniapp/src/pages/bills/index';
import { resetTaroStorage } from '../support/taro/taro';
import { ACCOUNT, BILLS, OVERVIEW, PREPAID_ACCOUNT, PREPAID_OVERVIEW } from './billing-fixtures';
import { calls, failure, logIn, reply, serve } from './fake-api';

const ACCOUNTS = reply(200, { accounts: [ACCOUNT], limit: 10 });
const OVERVIEW_REPLY = reply(200, { overview: OVERVIEW, bills: BILLS });

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
  vi.mocked(Taro.showToast).mockClear();
  logIn();
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('bills page', () => {
  it("shows the default account's amount due, pending month, tier card, usage chart and bills", async () => {
    serve({ 'GET /api/accounts': ACCOUNTS, 'GET /api/bills/7': OVERVIEW_REPLY });
    render(<Bills />);
    expect(screen.getByTestId('state-loading')).toBeTruthy();

    const overview = await screen.findByTestId('bills-overview');
    expect(overview.textContent).toContain('户号 3301000001');
    expect(overview.textContent).toContain('应缴金额');
    expect(overview.textContent).toContain('¥193.06');
    expect(overview.textContent).toContain('含违约金 ¥0.38');
    expect(screen.getByTestId('bills-pending').textContent).toBe('10 月账单正在核对，核对后出账');
    // One account: no switcher.
    expect(screen.queryByTestId('bills-accounts')).toBeNull();

    const tier = screen.getByTestId('tier-card');
    expect(tier.textContent).toContain('2026 年累计');
    expect(tier.textContent).toContain('2900');
    expect(screen.getByTestId('tier-status').textContent).toBe('当前第 2 档，再用 1900 千瓦时进入第 3 档');
    expect(tier.textContent).toContain('2761–4800 千瓦时');
    expect(tier.textContent).toContain('4800 千瓦时以上');
    expect(tier.textContent).toContain('峰 0.618 · 谷 0.338 元/千瓦时');
    expect(tier.querySelector('.tier__row--current')?.textContent).toContain('第二档');

    const chart = screen.getByTestId('usage-chart');
    expect(chart.querySelectorAll('[data-testid^="usage-bar-"]')).toHaveLength(12);
    // The months before the account existed are stubs, not zero-height bars.
    expect(screen.getByTestId('usage-bar-2025-10').querySelector('.usage__bar--none')).toBeTruthy();
    // Heights are shares of the highest month (August, 430 kWh).
    const height = (month: string) => parseFloat((screen.getByTestId(`usage-bar-${month}`).querySelector('.usage__bar') as HTMLElement).style.height);
    expect(height('2026-08')).toBe(100);
    expect(height('2026-04')).toBe(51.2);
    expect(screen.getByTestId('usage-bar-2026-08').getAttribute('aria-label')).toBe('2026 年 8 月：430 千瓦时，电费 ¥196.08');
    // The latest month is selected first; tapping another bar tells its figures.
    expect(screen.getByTestId('usage-detail').textContent).toBe('2026 年 9 月：300 千瓦时，电费 ¥146.60');
    fireEvent.click(screen.getByTestId('usage-bar-2026-08'));
    expect(screen.getByTestId('usage-detail').textContent).toBe('2026 年 8 月：430 千瓦时，电费 ¥196.08');
    fireEvent.click(screen.getByTestId('usage-bar-2025-11'));
    expect(screen.getByTestId('usage-detail').textContent).toBe('2025 年 11 月：无账单');

    const rows = screen.getAllByTestId(/^bill-row-/);
    expect(rows.map((row) => row.getAttribute('data-testid'))).toEqual(BILLS.map((bill) => `bill-row-${bill.month}`));
    const september = within(screen.getByTestId('bill-row-2026-09'));
    expect(september.getByText('2026 年 9 月')).toBeTruthy();
    expect(september.getByText('300 千瓦时')).toBeTruthy();
    expect(september.getByText('¥146.60')).toBeTruthy();
    expect(september.getByText('未缴')).toBeTruthy();
    expect(screen.getByTestId('bill-row-2026-08').textContent).toContain('部分缴费');
    expect(screen.getByTestId('bill-row-2026-07').textContent).toContain('已缴清');
    expect(screen.getByTestId('bill-row-2026-05').textContent).toContain('余额已结');

    fireEvent.click(screen.getByTestId('bill-row-2026-09'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/bills/pages/detail/index?accountId=7&month=2026-09' });
    fireEvent.click(screen.getByTestId('bills-pay'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/index/index?accountId=7' });
    expect(calls()).toEqual(['GET /api/accounts', 'GET /api/bills/7']);
  });

  it('opens on the default account and switches to another one', async () => {
    serve({
      'GET /api/accounts': reply(200, {
        accounts: [
          { ...ACCOUNT, isDefault: false },
          { ...PREPAID_ACCOUNT, isDefault: true },
        ],
        limit: 10,
      }),
      'GET /api/bills/7': OVERVIEW_REPLY,
      'GET /api/bills/9': reply(200, { overview: PREPAID_OVERVIEW, bills: BILLS }),
    });
    render(<Bills />);
    expect((await screen.findByTestId('bills-overview')).textContent).toContain('户号 3301000002');
    expect(screen.getByTestId('bills-account-3301000002').className).toContain('bills__account--active');
    fireEvent.click(screen.getByTestId('bills-account-3301000001'));
    expect((await screen.findByTestId('bills-overview')).textContent).toContain('户号 3301000001');
    expect(calls()).toEqual(['GET /api/accounts', 'GET /api/bills/9', 'GET /api/bills/7']);
  });

  it('shows the error state when the overview fails, and recovers on retry', async () => {
    serve({
      'GET /api/accounts': ACCOUNTS,
      'GET /api/bills/7': [failure(500, 'INTERNAL', 'Internal server error'), OVERVIEW_REPLY],
    });
    render(<Bills />);
    expect((await screen.findByTestId('state-error')).textContent).toContain('服务暂时不可用');
    expect(screen.queryByTestId('bills-overview')).toBeNull();
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByTestId('bills-overview')).toBeTruthy();
    expect(screen.getAllByTestId(/^bill-row-/)).toHaveLength(BILLS.length);
  });

  it('says so when no bill has been issued yet', async () => {
    const empty = {
      ...OVERVIEW,
      amountDueFen: 0,
      lateFeeFen: 0,
      tier: { ...OVERVIEW.tier!, countedKwh: 0, tier: 1, kwhToNextTier: 2760 },
      usage: OVERVIEW.usage.map((point) => ({ ...point, kwh: null, amountFen: null })),
    };
    serve({ 'GET /api/accounts': ACCOUNTS, 'GET /api/bills/7': reply(200, { overview: empty, bills: [] }) });
    render(<Bills />);
    expect((await screen.findByTestId('state-empty')).textContent).toContain('还没有已出账的账单');
    expect(screen.getByTestId('bills-overview').textContent).toContain('电费已全部缴清');
    expect(screen.queryByTestId('bills-pay')).toBeNull();
    expect(screen.queryByTestId('usage-chart')).toBeNull();
    expect(screen.getByTestId('tier-status').textContent).toBe('当前第 1 档，再用 2760 千瓦时进入第 2 档');
  });

  it('leads a logged-in customer without an account to binding', async () => {
    serve({ 'GET /api/accounts': reply(200, { accounts: [], limit: 10 }) });
    render(<Bills />);
    expect((await screen.findByTestId('state-empty')).textContent).toContain('绑定户号后');
    fireEvent.click(screen.getByText('绑定户号'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/account/pages/bind/index' });
  });
});

describe('prepaid balance alert', () => {
  const setUp = (save: Parameters<typeof serve>[0][string]) => {
    serve({
      'GET /api/accounts': reply(200, { accounts: [PREPAID_ACCOUNT], limit: 10 }),
      'GET /api/bills/9': reply(200, { overview: PREPAID_OVERVIEW, bills: BILLS }),
      'PUT /api/accounts/9/balance-alert': save,
    });
    render(<Bills />);
  };
  const type = (text: string) => fireEvent.change(screen.getByTestId('balance-alert-input'), { target: { value: text } });
  const puts = () => vi.mocked(Taro.request).mock.calls.filter(([options]) => (options as { method: string }).method === 'PUT');

  it('shows the balance against the threshold and saves a new threshold typed in yuan as fen', async () => {
    setUp((request) => reply(200, { thresholdFen: (request.data as { thresholdFen: number }).thresholdFen }));
    const overview = await screen.findByTestId('bills-overview');
    expect(overview.textContent).toContain('账户余额');
    expect(overview.textContent).toContain('¥45.23');
    expect(overview.textContent).toContain('余额已低于提醒金额');
    expect(screen.getByTestId('balance-alert-current').textContent).toBe('余额低于 ¥50.00 时提醒');
    expect(screen.getByTestId('bills-pay').textContent).toBe('去充值');

    type('30');
    fireEvent.click(screen.getByTestId('balance-alert-save'));
    await vi.waitFor(() => expect(screen.getByTestId('balance-alert-current').textContent).toBe('余额低于 ¥30.00 时提醒'));
    expect(puts()).toHaveLength(1);
    expect(puts()[0]![0]).toMatchObject({ url: '/api/accounts/9/balance-alert', data: { thresholdFen: 3000 } });
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '已保存', icon: 'success' });
    // ¥45.23 is no longer below the threshold.
    expect(overview.textContent).not.toContain('余额已低于提醒金额');
    expect(screen.queryByTestId('balance-alert-error')).toBeNull();
  });

  it('rejects what is not an amount of yuan without calling the API', async () => {
    setUp(reply(200, { thresholdFen: 0 }));
    await screen.findByTestId('bills-overview');
    const save = screen.getByTestId('balance-alert-save');
    const cases: Array<[string, string]> = [
      ['', '请输入提醒金额'],
      ['abc', '最多两位小数'],
      ['30.125', '最多两位小数'],
      ['-5', '不能为负数'],
      ['10000.01', '最高 ¥10,000.00'],
    ];
    for (const [text, message] of cases) {
      type(text);
      fireEvent.click(save);
      expect(screen.getByTestId('balance-alert-error').textContent, text).toContain(message);
    }
    expect(puts()).toHaveLength(0);
    type('12.5');
    fireEvent.click(save);
    await vi.waitFor(() => expect(puts()).toHaveLength(1));
    expect(puts()[0]![0]).toMatchObject({ data: { thresholdFen: 1250 } });
  });

  it('shows why the server refused', async () => {
    setUp(failure(400, 'VALIDATION_FAILED', 'Invalid body'));
    await screen.findByTestId('bills-overview');
    type('30');
    fireEvent.click(screen.getByTestId('balance-alert-save'));
    expect((await screen.findByTestId('balance-alert-error')).textContent).toBe('填写的内容有误，请检查后重试');
    expect(screen.getByTestId('balance-alert-current').textContent).toBe('余额低于 ¥50.00 时提醒');
  });
});
