import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaymentOrder, PaymentReceipt } from '../../shared/contracts/payments';
import PaymentHistory from '../../miniapp/src/packages/payments/pages/history/index';
import { resetTaroStorage } from '../support/taro/taro';
import { failure, logIn, reply, serve } from './fake-api';

type Payment = PaymentOrder & { receipt: PaymentReceipt | null };
const payment = (fields: Partial<Payment> & Pick<Payment, 'id'>): Payment => ({
  outTradeNo: `P2026112800000${fields.id}`,
  accountId: 7,
  channel: 'wechat_h5',
  purpose: 'bills',
  receivableIds: null,
  amountFen: 16_354,
  state: 'PAID',
  launch: null,
  flag: null,
  cancelled: false,
  expiresAt: '2026-11-28T03:00:00Z',
  paidAt: '2026-11-28T02:31:00Z',
  createdAt: '2026-11-28T02:30:00Z',
  receipt: null,
  ...fields,
});

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  resetTaroStorage();
  logIn();
});
afterEach(() => cleanup());

describe('payment history', () => {
  it('lists payments newest first, each paid one with what it paid of each bill and what went to prepayment', async () => {
    serve({
      'GET /api/payments': reply(200, {
        payments: [
          payment({
            id: 2,
            receipt: {
              issuedAt: '2026-11-28T02:31:00Z',
              amountFen: 16_354,
              prepaymentFen: 1_000,
              lines: [{ month: '2026-09', lateFeeFen: 54, principalFen: 15_300 }],
            },
          }),
          payment({ id: 1, state: 'CLOSED', channel: 'alipay_wap', paidAt: null, accountId: 99 }),
        ],
      }),
      'GET /api/accounts': reply(200, {
        accounts: [{ id: 7, accountNo: '3301000001', holderNameMasked: '张*', addressMasked: '杭州市****', customerClass: 'residential', isDefault: true }],
        limit: 5,
      }),
    });
    render(<PaymentHistory />);
    const records = await screen.findAllByTestId('payment-record');
    expect(records).toHaveLength(2);
    // Each record names its account by number; one since unbound (99) is left unnamed.
    await vi.waitFor(() => expect(records[0]!.textContent).toContain('户号 3301000001'));
    expect(records[1]!.textContent).not.toContain('户号');
    expect(records[0]!.textContent).toContain('已缴费');
    expect(records[0]!.textContent).toContain('2026-09 账单：电费 ¥153.00，违约金 ¥0.54');
    expect(records[0]!.textContent).toContain('转入预存：¥10.00');
    expect(records[1]!.textContent).toContain('已关闭');
    expect(records[1]!.textContent).toContain('支付宝');
    expect(screen.getAllByTestId('payment-receipt')).toHaveLength(1);
    // Only the paid one has an electronic receipt to open.
    expect(screen.getAllByTestId('payment-record-receipt')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('payment-record-receipt'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/payments/pages/receipt/index?id=2' });
  });

  it('names cancelled, closed, failed and open orders in Chinese, with the way on from each', async () => {
    serve({
      'GET /api/payments': reply(200, {
        payments: [
          payment({ id: 4, state: 'CLOSED', cancelled: true, paidAt: null }),
          payment({ id: 3, state: 'CLOSED', paidAt: null }),
          payment({ id: 2, state: 'FAILED', paidAt: null }),
          payment({ id: 1, state: 'PAYING', paidAt: null }),
        ],
      }),
    });
    render(<PaymentHistory />);
    await screen.findAllByTestId('payment-record');
    expect(screen.getAllByTestId('payment-record-state').map((node) => node.textContent)).toEqual(['已取消', '已关闭', '支付失败', '支付中']);
    expect(screen.getAllByTestId('payment-record-again')).toHaveLength(3);
    fireEvent.click(screen.getAllByTestId('payment-record-again')[0]!);
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/payments/pages/index/index?accountId=7' });
    fireEvent.click(screen.getByTestId('payment-record-check'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/payments/pages/result/index?id=1' });
  });

  it('says when there is nothing yet and offers the pay page', async () => {
    serve({ 'GET /api/payments': reply(200, { payments: [] }) });
    render(<PaymentHistory />);
    expect((await screen.findByTestId('state-empty')).textContent).toContain('还没有缴费记录');
    fireEvent.click(screen.getByText('去缴费'));
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/index/index' });
  });

  it('shows the error with a retry that loads again', async () => {
    serve({ 'GET /api/payments': [failure(500, 'INTERNAL', 'boom'), reply(200, { payments: [payment({ id: 3 })] })] });
    render(<PaymentHistory />);
    fireEvent.click(await screen.findByText('重试'));
    expect(await screen.findAllByTestId('payment-record')).toHaveLength(1);
  });
});
