import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { explainChange } from '../../shared/billing/explain';
import BillDetailPage from '../../miniapp/src/packages/bills/pages/detail/index';
import { resetTaroStorage } from '../support/taro/taro';
import { FACTORY_OCTOBER, SEPTEMBER } from './billing-fixtures';
import { calls, failure, logIn, reply, serve } from './fake-api';

const open = (params: Record<string, string>) => vi.mocked(useRouter).mockReturnValue({ params, path: '/packages/bills/pages/detail/index' } as never);
/** "¥1,234.56" → 123456. */
const fen = (text: string | null | undefined) => Math.round(Number((text ?? '').replace(/[¥,]/g, '')) * 100);

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
  logIn();
  open({ accountId: '7', month: '2026-09' });
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('bill detail page', () => {
  it('shows the amount, the lines adding up to it, the explainer, the time-of-use split and the readings', async () => {
    serve({ 'GET /api/bills/7/2026-09': reply(200, { bill: SEPTEMBER }) });
    render(<BillDetailPage />);
    expect(screen.getByTestId('state-loading')).toBeTruthy();
    const detail = await screen.findByTestId('bill-detail');
    expect(calls()).toEqual(['GET /api/bills/7/2026-09']);
    expect(detail.textContent).toContain('2026 年 9 月电费');
    expect(detail.textContent).toContain('2026-09-01 至 2026-09-30（30 天）');
    expect(detail.textContent).toContain('300 千瓦时');
    expect(detail.textContent).toContain('缴费截止2026-10-25');
    expect(detail.textContent).toContain('未缴');

    const lines = screen.getByTestId('bill-lines');
    const rows = Array.from(lines.querySelectorAll('[data-testid^="bill-line-"]'));
    expect(rows.map((row) => row.querySelector('.lines__label')?.textContent)).toEqual(['峰时电费', '谷时电费', '第二档加价']);
    expect(rows[0]!.textContent).toContain('0.568');
    expect(rows[2]!.textContent).toContain('140');
    expect(rows[2]!.textContent).toContain('0.05');
    const amounts = rows.map((row) => fen(row.querySelector('.lines__amount')?.textContent));
    expect(amounts).toEqual([10792, 3168, 700]);
    const total = fen(screen.getByTestId('bill-lines-total').querySelector('.lines__amount')?.textContent);
    expect(total).toBe(SEPTEMBER.amountFen);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(total);

    const explainer = screen.getByTestId('bill-explainer');
    const { headline, reasons } = explainChange(SEPTEMBER.comparison!);
    expect(headline).toBe('本期电费比上期少 ¥49.48');
    expect(explainer.textContent).toContain(headline);
    for (const reason of reasons) expect(explainer.textContent).toContain(reason);
    expect(explainer.textContent).toContain('本期用电进入第二档');
    expect(explainer.textContent).toContain('对比 2026 年 8 月账单');

    const tou = screen.getByTestId('tou-split');
    expect(screen.getByTestId('tou-peak').textContent).toContain('190 千瓦时');
    expect(screen.getByTestId('tou-peak').textContent).toContain('63.3%');
    expect(screen.getByTestId('tou-valley').textContent).toContain('36.7%');
    const parts = Array.from(tou.querySelectorAll('.tou__bar .tou__part')) as HTMLElement[];
    expect(parts.map((part) => parseFloat(part.style.width))).toEqual([63.3, 36.7]);

    expect(screen.getByTestId('tier-card').textContent).toContain('当前第 2 档');
    expect(detail.textContent).toContain('本期电量分档：第一档 160 千瓦时，第二档 140 千瓦时');

    const readings = screen.getByTestId('bill-readings');
    expect(readings.textContent).toContain('12345.67 千瓦时');
    expect(readings.textContent).toContain('12645.89 千瓦时');
    expect(readings.textContent).toContain('倍率 1');
    expect(screen.queryByTestId('bill-adjusted')).toBeNull();

    expect(screen.getByTestId('bill-outstanding').textContent).toContain('待缴 ¥146.60');
    fireEvent.click(screen.getByTestId('bill-pay'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/index/index?accountId=7&month=2026-09' });
  });

  it('leaves out what a paid single-rate bill without a previous one does not have, and notes a correction', async () => {
    const bill = {
      ...SEPTEMBER,
      payment: { state: 'paid', dueDate: '2026-10-25', outstandingFen: 0, lateFeeFen: 0 },
      tariff: { code: 'zj-commercial', version: 1, name: '浙江一般工商业电价' },
      kwh: 300,
      amountFen: 19920,
      lines: [{ kind: 'energy', key: 'single', quantity: 300, rate: 6640, amountFen: 19920 }],
      periods: [{ period: 'flat', kwh: 300, rate: 6640 }],
      tiers: [{ tier: 1, kwh: 300 }],
      tierCard: null,
      comparison: null,
      adjusted: { reason: '表计读数核对后更正' },
    };
    serve({ 'GET /api/bills/7/2026-09': reply(200, { bill }) });
    render(<BillDetailPage />);
    await screen.findByTestId('bill-detail');
    expect(screen.getByTestId('bill-lines').textContent).toContain('电度电费');
    expect(screen.getByTestId('bill-lines-total').textContent).toContain('¥199.20');
    expect(screen.getByTestId('bill-adjusted').textContent).toContain('表计读数核对后更正');
    for (const absent of ['bill-explainer', 'tou-split', 'tier-card', 'bill-pay']) expect(screen.queryByTestId(absent), absent).toBeNull();
  });

  it('shows a factory bill: the readings formula that gives the billed kWh, basic charge, power factor and funds, each price with its unit', async () => {
    open({ accountId: '7', month: '2026-10' });
    serve({ 'GET /api/bills/7/2026-10': reply(200, { bill: FACTORY_OCTOBER }) });
    render(<BillDetailPage />);
    await screen.findByTestId('bill-detail');
    // (298654.22 − 291336.86) × 40 = 292694.40; the last bill left 0.40 uncounted: 292694.80 → 292,694.
    const formula = screen.getByTestId('reading-formula').textContent;
    expect(formula).toBe('(止码 − 起码) × 倍率 = (298654.22 − 291336.86) × 40 = 292694.40，加上期结转 0.40，取整 292694 千瓦时；不足 1 千瓦时的 0.80 结转下期');
    expect(formula).toContain(`${FACTORY_OCTOBER.kwh} 千瓦时`);
    expect(screen.getByTestId('bill-readings').textContent).toContain('取整规则');

    const row = (id: string) => screen.getByTestId(`bill-line-${id}`).textContent;
    expect(row('energy-sharp')).toContain('29269 千瓦时');
    expect(row('energy-sharp')).toContain('1.0212 元/千瓦时');
    expect(row('demand-capacity')).toContain('基本电费（按容量）');
    expect(row('demand-capacity')).toContain('630 千伏安');
    expect(row('demand-capacity')).toContain('30.00 元/千伏安·月');
    expect(row('demand-capacity')).toContain('¥18,900.00');
    expect(row('power_factor-0.90')).toContain('力调电费（考核标准 0.90）');
    expect(row('power_factor-0.90')).toContain('功率因数 0.92');
    expect(row('power_factor-0.90')).toContain('减收 0.30%');
    expect(row('power_factor-0.90')).toContain('-¥629.98');
    expect(row('fund-renewable')).toContain('可再生能源电价附加');
    expect(row('fund-renewable')).toContain('0.019 元/千瓦时');
    expect(row('fund-water_project')).toContain('国家重大水利工程建设基金');
    expect(row('fund-reservoir_resettlement')).toContain('0.0062 元/千瓦时');
    expect(screen.getByTestId('tou-sharp').textContent).toContain('1.0212 元/千瓦时');

    const rows = Array.from(screen.getByTestId('bill-lines').querySelectorAll('[data-testid^="bill-line-"]'));
    const amounts = rows.map((line) => fen(line.querySelector('.lines__amount')?.textContent));
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(FACTORY_OCTOBER.amountFen);
    expect(fen(screen.getByTestId('bill-lines-total').querySelector('.lines__amount')?.textContent)).toBe(21_732_505);
  });

  it('shows the error state with retry when the bill cannot be loaded', async () => {
    serve({ 'GET /api/bills/7/2026-09': [failure(404, 'NOT_FOUND', 'Bill not found'), reply(200, { bill: SEPTEMBER })] });
    render(<BillDetailPage />);
    expect((await screen.findByTestId('state-error')).textContent).toContain('没有找到相关记录');
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByTestId('bill-detail')).toBeTruthy();
  });

  it('does not call the API for a malformed link', () => {
    serve({});
    open({ accountId: '7', month: '2026-13' });
    render(<BillDetailPage />);
    expect(screen.getByTestId('state-empty').textContent).toContain('账单信息不完整');
    expect(calls()).toEqual([]);
  });
});
