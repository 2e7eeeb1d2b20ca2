import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import PaymentsHome from '../../miniapp/src/packages/payments/pages/index/index';
import { resetTaroStorage } from '../support/taro/taro';
import { ACCOUNT, BILLS, OVERVIEW } from './billing-fixtures';
import { logIn, reply, serve } from './fake-api';

// The cashier itself is the gateway's page; here the launch is only recorded.
const launches = vi.hoisted(() => [] as unknown[]);
const cashier = vi.hoisted(() => ({ outcome: 'redirected', held: null as Promise<void> | null }));
vi.mock('../../miniapp/src/platform', async (importOriginal) => {
  const h5 = await importOriginal<typeof import('../../miniapp/src/platform/index.h5')>();
  return {
    ...h5,
    platform: {
      ...h5.platform,
      launchPayment: async (launch: unknown) => {
        launches.push(launch);
        await cashier.held;
        return cashier.outcome;
      },
    },
  };
});

const ORDER = {
  id: 5,
  outTradeNo: 'P1',
  accountId: ACCOUNT.id,
  channel: 'wechat_h5',
  purpose: 'bills',
  receivableIds: null,
  amountFen: 0,
  state: 'PAYING',
  launch: { kind: 'redirect', url: 'http://cashier' },
  flag: null,
  expiresAt: '2026-11-28T03:00:00Z',
  paidAt: null,
  createdAt: '2026-11-28T02:30:00Z',
};

let bodies: unknown[];
beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  resetTaroStorage();
  logIn();
  bodies = [];
  launches.length = 0;
  cashier.outcome = 'redirected';
  cashier.held = null;
  vi.mocked(Taro.redirectTo).mockClear();
  serve({
    'GET /api/accounts': reply(200, { accounts: [ACCOUNT], limit: 10 }),
    [`GET /api/bills/${ACCOUNT.id}`]: reply(200, { overview: OVERVIEW, bills: BILLS }),
    'POST /api/payments': (request) => (bodies.push(request.data), reply(201, { order: ORDER })),
  });
});
afterEach(() => {
  cleanup();
  vi.mocked(useRouter).mockReset();
});

describe('pay page', () => {
  it('opened from one bill pays just that bill, or everything due when the customer switches', async () => {
    vi.mocked(useRouter).mockReturnValue({ params: { accountId: String(ACCOUNT.id), month: '2026-08' }, path: '' } as never);
    render(<PaymentsHome />);
    const card = await screen.findByTestId('pay-card');
    expect(card.textContent).toContain('2026-08 账单');
    expect(card.textContent).toContain('¥46.46');
    fireEvent.click(screen.getByTestId('pay-wechat_h5'));
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toEqual({ purpose: 'bills', accountId: ACCOUNT.id, channel: 'wechat_h5', receivableIds: [1109] });
    await vi.waitFor(() => expect(launches).toEqual([{ kind: 'redirect', url: 'http://cashier' }]));

    fireEvent.click(screen.getByTestId('pay-scope'));
    expect(screen.getByTestId('pay-card').textContent).toContain('¥193.06');
    fireEvent.click(screen.getByTestId('pay-alipay_wap'));
    await vi.waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toEqual({ purpose: 'bills', accountId: ACCOUNT.id, channel: 'alipay_wap' });
  });

  it('opened from the services entry pays everything the default account owes', async () => {
    vi.mocked(useRouter).mockReturnValue({ params: {}, path: '' } as never);
    render(<PaymentsHome />);
    expect((await screen.findByTestId('pay-card')).textContent).toContain('¥193.06');
    expect(screen.queryByTestId('pay-scope')).toBeNull();
  });

  it('a double tap shows the busy state and starts one payment', async () => {
    vi.mocked(useRouter).mockReturnValue({ params: {}, path: '' } as never);
    let release!: () => void;
    cashier.held = new Promise((resolve) => (release = resolve));
    render(<PaymentsHome />);
    const button = await screen.findByTestId('pay-wechat_h5');
    // Both taps land before React re-renders the disabled buttons (as two quick taps on a phone do).
    act(() => {
      fireEvent.click(button);
      fireEvent.click(button);
      fireEvent.click(screen.getByTestId('pay-alipay_wap'));
    });
    await vi.waitFor(() => expect(launches).toHaveLength(1));
    expect(screen.getByTestId('pay-wechat_h5').textContent).toBe('正在发起支付…');
    expect(screen.getByTestId('pay-wechat_h5').hasAttribute('disabled')).toBe(true);
    release();
    await vi.waitFor(() => expect(screen.getByTestId('pay-wechat_h5').textContent).toBe('微信支付'));
    expect(bodies).toHaveLength(1);
    expect(launches).toHaveLength(1);
  });

  it('a payment cancelled in the payment sheet goes to the result page, which closes the order', async () => {
    vi.mocked(useRouter).mockReturnValue({ params: {}, path: '' } as never);
    cashier.outcome = 'cancelled';
    render(<PaymentsHome />);
    fireEvent.click(await screen.findByTestId('pay-wechat_h5'));
    await vi.waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/result/index?id=5&cancelled=1' }));
  });
});
