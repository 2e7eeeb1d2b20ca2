import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaymentOrder } from '../../shared/contracts/payments';
import PaymentResult from '../../miniapp/src/packages/payments/pages/result/index';
import { resetTaroStorage } from '../support/taro/taro';
import { calls, failure, logIn, reply, serve } from './fake-api';
import { sampleReceipt } from './receipt-fixtures';

// A phone call leaves the page; here it is only recorded.
const dialled = vi.hoisted(() => [] as string[]);
const backTo = vi.hoisted(() => [] as string[]);
vi.mock('../../miniapp/src/platform', async (importOriginal) => {
  const h5 = await importOriginal<typeof import('../../miniapp/src/platform/index.h5')>();
  return {
    ...h5,
    platform: {
      ...h5.platform,
      call: (phone: string) => void dialled.push(phone),
      backLeavesTo: (path: string) => void backTo.push(path),
    },
  };
});

const order = (fields: Partial<PaymentOrder> = {}): PaymentOrder => ({
  id: 9,
  outTradeNo: 'P20261128103000ABCDEF1234',
  accountId: 7,
  channel: 'wechat_h5',
  purpose: 'bills',
  receivableIds: null,
  amountFen: 16_354,
  state: 'PAYING',
  launch: null,
  flag: null,
  cancelled: false,
  expiresAt: '2026-11-28T03:00:00Z',
  paidAt: null,
  createdAt: '2026-11-28T02:30:00Z',
  ...fields,
});
const open = (params: Record<string, string> = { id: '9' }) => {
  vi.mocked(useRouter).mockReturnValue({ params, path: '' } as never);
  render(<PaymentResult />);
};
const state = () => screen.getByTestId('pay-result-state').textContent;

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.redirectTo).mockClear();
  vi.mocked(Taro.switchTab).mockClear();
  dialled.length = 0;
  backTo.length = 0;
  resetTaroStorage();
  logIn();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.mocked(useRouter).mockReset();
});

describe('payment result page', () => {
  it('shows a payment confirmed by the server as paid, with 完成 and 查看账单', async () => {
    serve({ 'GET /api/payments/9': [reply(200, { order: order() }), reply(200, { order: order({ state: 'PAID', paidAt: '2026-11-28T02:31:00Z' }) })] });
    open();
    await vi.waitFor(() => expect(state()).toBe('支付成功'), { timeout: 5_000 });
    // Back leaves for the bills, not the cashier behind this page.
    expect(backTo).toEqual(['/pages/bills/index']);
    fireEvent.click(screen.getByTestId('pay-result-done'));
    expect(Taro.switchTab).toHaveBeenLastCalledWith({ url: '/pages/home/index' });
    fireEvent.click(screen.getByTestId('pay-result-bills'));
    expect(Taro.switchTab).toHaveBeenLastCalledWith({ url: '/pages/bills/index' });
    fireEvent.click(screen.getByTestId('pay-result-receipt'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/payments/pages/receipt/index?id=9' });
  });

  it('a paid order shows when, how, which account and which bill months it paid, from its receipt', async () => {
    serve({
      'GET /api/payments/9': reply(200, { order: order({ state: 'PAID', paidAt: '2026-12-07T01:45:12.000Z' }) }),
      'GET /api/payments/9/receipt': reply(200, { receipt: sampleReceipt() }),
    });
    open();
    const summary = await screen.findByTestId('pay-result-summary', {}, { timeout: 5_000 });
    // 01:45:12 UTC is 09:45:12 in Beijing.
    expect(summary.textContent).toContain('缴费时间2026-12-07 09:45:12');
    expect(summary.textContent).toContain('支付方式微信支付');
    expect(summary.textContent).toContain('户号3301000001（张*）');
    expect(summary.textContent).toContain('账单月份2026-10、2026-11');
  });

  it('a paid top-up names what it paid for; an unreadable receipt leaves the result as it is', async () => {
    serve({
      'GET /api/payments/9': reply(200, { order: order({ state: 'PAID', purpose: 'top_up', paidAt: '2026-12-07T01:45:12.000Z' }) }),
      'GET /api/payments/9/receipt': reply(200, { receipt: sampleReceipt({ purpose: 'top_up', bills: [], prepaymentFen: 16_354 }) }),
    });
    open();
    expect((await screen.findByTestId('pay-result-summary', {}, { timeout: 5_000 })).textContent).toContain('缴费项目预存电费');
    cleanup();
    serve({
      'GET /api/payments/9': reply(200, { order: order({ state: 'PAID', paidAt: '2026-12-07T01:45:12.000Z' }) }),
      'GET /api/payments/9/receipt': failure(500, 'INTERNAL', 'down'),
    });
    open();
    await vi.waitFor(() => expect(state()).toBe('支付成功'), { timeout: 5_000 });
    expect(screen.queryByTestId('pay-result-summary')).toBeNull();
    expect(screen.getByTestId('pay-result-receipt')).toBeTruthy();
  });

  it('back from the cashier marked cancelled: closes the order at once and offers to pay again', async () => {
    serve({ 'POST /api/payments/9/close': reply(200, { order: order({ state: 'CLOSED', cancelled: true }) }) });
    open({ id: '9', cancelled: '1' });
    expect(await screen.findByText('已取消支付')).toBeTruthy();
    expect(screen.getByTestId('pay-result-note').textContent).toContain('未扣款');
    expect(screen.queryByTestId('pay-result-receipt')).toBeNull();
    expect(calls()).toEqual(['POST /api/payments/9/close']);
    fireEvent.click(screen.getByTestId('pay-result-again'));
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/index/index?accountId=7' });
  });

  it('an expired order reads as closed; a failed one offers the hotline', async () => {
    serve({ 'GET /api/payments/9': reply(200, { order: order({ state: 'CLOSED' }) }) });
    open();
    expect(await screen.findByText('订单已关闭')).toBeTruthy();
    expect(screen.queryByTestId('pay-result-call')).toBeNull();
    cleanup();
    serve({ 'GET /api/payments/9': reply(200, { order: order({ state: 'FAILED' }) }) });
    open();
    expect(await screen.findByText('支付失败')).toBeTruthy();
    fireEvent.click(screen.getByTestId('pay-result-call'));
    expect(dialled).toEqual(['95598']);
  });

  it('stops asking after 15 tries and says the result is pending, with refresh, close and the hotline', async () => {
    vi.useFakeTimers();
    serve({ 'GET /api/payments/9': reply(200, { order: order() }) });
    open();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toBe('正在确认支付结果…');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state()).toBe('结果待确认');
    expect(calls()).toHaveLength(15);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toHaveLength(15);
    expect(screen.getByTestId('pay-result-call')).toBeTruthy();

    fireEvent.click(screen.getByTestId('pay-result-refresh'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toHaveLength(16);
    expect(state()).toBe('正在确认支付结果…');
  });

  it('“我未支付” closes a pending order; a gateway that does not answer leaves it open with the error shown', async () => {
    serve({
      'GET /api/payments/9': reply(200, { order: order() }),
      'POST /api/payments/9/close': [
        failure(502, 'PAYMENT_GATEWAY_FAILED', '支付机构暂时无法响应'),
        reply(200, { order: order({ state: 'CLOSED', cancelled: true }) }),
      ],
    });
    open();
    fireEvent.click(await screen.findByTestId('pay-result-close'));
    await vi.waitFor(() => expect(screen.getByTestId('pay-result').textContent).toContain('支付机构暂时无法受理'));
    expect(state()).toBe('正在确认支付结果…');
    fireEvent.click(screen.getByTestId('pay-result-close'));
    expect(await screen.findByText('已取消支付')).toBeTruthy();
  });
});
