import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MyOutage } from '../../shared/contracts/outages';
import type { WorkOrderSummary } from '../../shared/contracts/requests';
import Home from '../../miniapp/src/pages/home/index';
import { resetTaroStorage } from '../support/taro/taro';
import { ACCOUNT, BILLS, OVERVIEW, PREPAID_ACCOUNT, PREPAID_OVERVIEW } from './billing-fixtures';
import { calls, failure, logIn, reply, serve } from './fake-api';

const META = reply(200, {
  utility: { name: '江南示范供电公司', shortName: '江南供电', hotline: '95598', serviceHours: '全天 24 小时' },
  notices: [],
});
const order = (fields: Partial<WorkOrderSummary> & Pick<WorkOrderSummary, 'id' | 'state'>): WorkOrderSummary => ({
  ticketNo: `GD20261127${String(fields.id).padStart(6, '0')}`,
  type: 'fault_repair',
  typeName: '故障报修',
  stage: null,
  stageName: null,
  stageDeadline: null,
  overdue: false,
  createdAt: '2026-11-27T02:00:00Z',
  rating: null,
  ...fields,
});
// Newest first, as the server lists them: the newest is done, the one before is at the site survey.
const ORDERS = reply(200, {
  orders: [
    order({ id: 33, state: 'completed' }),
    order({ id: 32, state: 'stage', stage: 'dispatch', stageName: '抢修处理', type: 'meter_check', typeName: '电能表校验' }),
    order({ id: 31, state: 'stage', stage: 'survey', stageName: '现场勘查' }),
  ],
});
const outage = (id: number, accountId: number, fields: Partial<MyOutage> = {}): MyOutage => ({
  id,
  kind: 'planned',
  status: 'scheduled',
  title: '文三路线路检修',
  reason: '年度检修',
  district: '西湖区',
  areas: ['TA-XH-001'],
  feeder: null,
  scheduledStart: '2026-12-02T01:00:00Z',
  scheduledEnd: '2026-12-02T09:00:00Z',
  restoredAt: null,
  expectedBackAt: '2026-12-02T09:00:00Z',
  version: 1,
  updatedAt: '2026-11-25T02:00:00Z',
  accounts: [{ accountId, accountNo: '3301000001' }],
  ...fields,
});
const NO_OUTAGES = reply(200, { current: [], upcoming: [], recentlyRestored: [] });
const NO_ORDERS = reply(200, { orders: [] });

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
  vi.mocked(Taro.switchTab).mockClear();
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('home page, logged in', () => {
  it('shows the default account’s amount due and due date, pays that account, and lists what is under way', async () => {
    logIn();
    serve({
      'GET /api/meta': META,
      // The prepaid one is listed first but is not the default.
      'GET /api/accounts': reply(200, { accounts: [PREPAID_ACCOUNT, ACCOUNT], limit: 10 }),
      'GET /api/bills/7': reply(200, { overview: OVERVIEW, bills: BILLS }),
      'GET /api/service-requests': ORDERS,
      'GET /api/outages/mine': reply(200, {
        current: [outage(50, PREPAID_ACCOUNT.id, { title: '别处的停电' })],
        upcoming: [outage(51, ACCOUNT.id)],
        recentlyRestored: [],
      }),
    });
    render(<Home />);
    const card = await screen.findByTestId('home-account');
    expect(card.textContent).toContain('户号 3301000001');
    expect(card.textContent).toContain('应缴');
    expect(card.textContent).toContain('¥193.06');
    // The August bill, still partly unpaid, falls due before September's.
    expect(screen.getByTestId('home-due').textContent).toBe('缴费截止日 2026-09-25');
    fireEvent.click(screen.getByTestId('home-pay'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/index/index?accountId=7' });

    const request = await screen.findByTestId('home-request');
    expect(request.textContent).toContain('电能表校验');
    expect(request.textContent).toContain('办理中 · 抢修处理');
    fireEvent.click(request);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/requests/pages/detail/index?id=32' });
    const affecting = screen.getByTestId('home-outage');
    expect(affecting.textContent).toContain('即将停电 · 文三路线路检修');
    expect(affecting.textContent).toContain('12月2日 09:00 开始');
    expect(affecting.textContent).not.toContain('别处的停电');
    fireEvent.click(affecting);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/outages/pages/detail/index?id=51' });

    expect(screen.queryByTestId('home-login')).toBeNull();
    fireEvent.click(screen.getByTestId('entry-payHistory'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/history/index' });
    expect(['entry-pay', 'entry-bills', 'entry-repair', 'entry-outages'].every((id) => screen.queryByTestId(id))).toBe(true);
  });

  it('shows a prepaid default account’s balance with 充值, and nothing under way when nothing is', async () => {
    logIn();
    serve({
      'GET /api/meta': META,
      'GET /api/accounts': reply(200, { accounts: [{ ...PREPAID_ACCOUNT, isDefault: true }], limit: 10 }),
      'GET /api/bills/9': reply(200, { overview: PREPAID_OVERVIEW, bills: [] }),
      'GET /api/service-requests': reply(200, { orders: [order({ id: 30, state: 'cancelled' })] }),
      'GET /api/outages/mine': NO_OUTAGES,
    });
    render(<Home />);
    const card = await screen.findByTestId('home-account');
    expect(card.textContent).toContain('余额');
    expect(card.textContent).toContain('¥45.23');
    expect(card.textContent).not.toContain('应缴');
    expect(screen.queryByTestId('home-due')).toBeNull();
    const pay = screen.getByTestId('home-pay');
    expect(pay.textContent).toBe('充值');
    fireEvent.click(pay);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/index/index?accountId=9' });
    await vi.waitFor(() => expect(calls()).toContain('GET /api/outages/mine'));
    expect(screen.queryByTestId('home-request')).toBeNull();
    expect(screen.queryByTestId('home-outage')).toBeNull();
  });

  it('leads to binding when no account is bound', async () => {
    logIn();
    serve({ 'GET /api/meta': META, 'GET /api/accounts': reply(200, { accounts: [], limit: 10 }) });
    render(<Home />);
    const empty = await screen.findByTestId('home-no-account');
    expect(empty.textContent).toContain('绑定户号后');
    fireEvent.click(screen.getByText('绑定户号'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/account/pages/bind/index' });
    expect(calls()).not.toContain('GET /api/service-requests');
  });

  it('shows the error state when the bill fails, and the bill after a retry', async () => {
    logIn();
    serve({
      'GET /api/meta': META,
      'GET /api/accounts': reply(200, { accounts: [ACCOUNT], limit: 10 }),
      'GET /api/bills/7': [failure(500, 'INTERNAL', 'Internal server error'), reply(200, { overview: OVERVIEW, bills: BILLS })],
      'GET /api/service-requests': NO_ORDERS,
      'GET /api/outages/mine': NO_OUTAGES,
    });
    render(<Home />);
    const error = await screen.findByTestId('state-error');
    expect(error.textContent).toContain('服务暂时不可用');
    expect(screen.queryByTestId('home-account')).toBeNull();
    fireEvent.click(screen.getByText('重试'));
    expect((await screen.findByTestId('home-account')).textContent).toContain('¥193.06');
  });
});

describe('home page, logged out', () => {
  it('asks to log in, and asks the server for nothing of the customer’s', async () => {
    serve({ 'GET /api/meta': META });
    render(<Home />);
    fireEvent.click(await screen.findByTestId('home-login'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/account/pages/login/index' });
    expect(screen.queryByTestId('home-account')).toBeNull();
    expect(calls()).toEqual(['GET /api/meta']);
  });
});
