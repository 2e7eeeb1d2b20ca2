import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MyOutage, Outage } from '../../shared/contracts/outages';
import type { NotificationPreferences } from '../../shared/contracts/notifications';
import OutagesPage from '../../miniapp/src/packages/outages/pages/index/index';
import OutageDetailPage from '../../miniapp/src/packages/outages/pages/detail/index';
import { formatInstant, formatRange } from '../../miniapp/src/packages/outages/outages';
import { resetTaroStorage } from '../support/taro/taro';
import { ACCOUNT, PREPAID_ACCOUNT } from './billing-fixtures';
import { calls, failure, logIn, reply, serve } from './fake-api';

// Component tests resolve the platform to index.h5.ts; a test that needs the mini-program sets
// `target.name` and the page then sees the real index.weapp.ts, over the Taro stand-in.
const target = vi.hoisted(() => ({ name: 'h5' as 'h5' | 'weapp' }));
vi.mock('../../miniapp/src/platform', async (importOriginal) => {
  const h5 = await importOriginal<typeof import('../../miniapp/src/platform/index.h5')>();
  const { platform: weapp } = await import('../../miniapp/src/platform/index.weapp');
  return { ...h5, platform: new Proxy(h5.platform, { get: (_, key) => Reflect.get(target.name === 'weapp' ? weapp : h5.platform, key) }) };
});

const TEMPLATE = 'TPL_OUTAGE_NOTICE';

const outage = (fields: Partial<Outage> & Pick<Outage, 'id'>): Outage => ({
  kind: 'planned',
  status: 'scheduled',
  title: '文三路线路检修',
  reason: '10 千伏文三线年度检修，更换老旧开关柜',
  district: '西湖区',
  areas: ['TA-XH-001', 'TA-XH-002'],
  feeder: null,
  scheduledStart: '2026-12-02T01:00:00Z',
  scheduledEnd: '2026-12-02T09:00:00Z',
  restoredAt: null,
  expectedBackAt: '2026-12-02T09:00:00Z',
  version: 1,
  updatedAt: '2026-11-25T02:00:00Z',
  ...fields,
});
const mine = (fields: Partial<Outage> & Pick<Outage, 'id'>, accounts = [ACCOUNT]): MyOutage => ({
  ...outage(fields),
  accounts: accounts.map((account) => ({ accountId: account.id, accountNo: account.accountNo })),
});

// 08:00–18:00 China time on 29 November, under way.
const CURRENT = mine(
  {
    id: 41,
    status: 'in_progress',
    title: '文三路变压器增容',
    scheduledStart: '2026-11-29T00:00:00Z',
    scheduledEnd: '2026-11-29T10:00:00Z',
    expectedBackAt: '2026-11-29T10:00:00Z',
  },
  [ACCOUNT, PREPAID_ACCOUNT],
);
const UPCOMING = mine({ id: 42 });
// A fault that began late on the 27th (China time) and was fixed within the evening.
const RESTORED = mine({
  id: 40,
  kind: 'unplanned',
  status: 'restored',
  title: '电缆故障抢修',
  scheduledStart: '2026-11-27T11:05:00Z',
  scheduledEnd: '2026-11-27T14:00:00Z',
  restoredAt: '2026-11-27T12:30:00Z',
  expectedBackAt: '2026-11-27T12:30:00Z',
});

const preferences = (fields: { wechat?: boolean; sms?: boolean; grants?: number; smsOn?: boolean } = {}): NotificationPreferences => ({
  channels: { wechat: fields.wechat ?? false, sms: fields.sms ?? true },
  topics: [
    { topic: 'outage', templateId: TEMPLATE, wechatGrants: fields.grants ?? 0, sms: fields.smsOn ?? false },
    { topic: 'workorder', templateId: 'TPL_WORKORDER_PROGRESS', wechatGrants: 0, sms: false },
  ],
});

const ACCOUNTS = reply(200, { accounts: [ACCOUNT, PREPAID_ACCOUNT], limit: 10 });
const MINE = reply(200, { current: [CURRENT], upcoming: [UPCOMING], recentlyRestored: [RESTORED] });
const PREFERENCES = reply(200, { preferences: preferences() });
// Everyone's list: a fault under way in another district, and the planned work near my accounts.
const LIVE_FAULT = outage({
  id: 45,
  kind: 'unplanned',
  status: 'in_progress',
  title: '湖墅路电缆故障',
  district: '拱墅区',
  scheduledStart: '2026-11-29T01:10:00Z',
  scheduledEnd: '2026-11-29T05:00:00Z',
  expectedBackAt: '2026-11-29T05:00:00Z',
});
const ALL_PUBLIC = reply(200, { districts: ['西湖区', '拱墅区'], outages: [LIVE_FAULT, outage({ id: 42 })] });
const sent = (method: string) =>
  vi
    .mocked(Taro.request)
    .mock.calls.map(([options]) => options as { method: string; url: string; data?: unknown })
    .filter((options) => options.method === method);

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
  vi.mocked(Taro.switchTab).mockClear();
  vi.mocked(Taro.showToast).mockClear();
  vi.mocked(Taro.requestSubscribeMessage).mockReset();
  target.name = 'h5';
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('China time', () => {
  it('shows instants in Asia/Shanghai whatever offset they were written with', () => {
    expect(formatInstant('2026-11-29T00:00:00Z')).toBe('11月29日 08:00');
    expect(formatInstant('2026-11-28T16:00:00.000Z')).toBe('11月29日 00:00');
    expect(formatInstant('2026-11-29T08:00:00+08:00')).toBe('11月29日 08:00');
    expect(formatInstant('2026-12-31T20:30:00Z')).toBe('1月1日 04:30');
    expect(formatRange('2026-11-29T00:00:00Z', '2026-11-29T10:00:00Z')).toBe('11月29日 08:00–18:00');
    expect(formatRange('2026-11-29T14:00:00Z', '2026-11-29T22:00:00Z')).toBe('11月29日 22:00 至 11月30日 06:00');
  });
});

describe('my outages', () => {
  it('groups the outages on my accounts into now, coming and restored, each with when power is back', async () => {
    logIn();
    serve({
      'GET /api/accounts': ACCOUNTS,
      'GET /api/outages': ALL_PUBLIC,
      'GET /api/outages/mine': MINE,
      'GET /api/notifications/preferences': PREFERENCES,
      [`GET /api/outages?district=${encodeURIComponent('拱墅区')}`]: reply(200, { districts: ['西湖区', '拱墅区'], outages: [LIVE_FAULT] }),
    });
    render(<OutagesPage />);
    expect(screen.getByTestId('state-loading')).toBeTruthy();

    const list = await screen.findByTestId('outages-mine');
    const titles = Array.from(list.querySelectorAll('.card__title')).map((title) => title.textContent);
    expect(titles).toEqual(['正在停电', '即将停电', '近期已复电']);
    expect(within(screen.getByTestId('outages-current')).getByTestId('outage-card-41')).toBeTruthy();
    expect(within(screen.getByTestId('outages-upcoming')).getByTestId('outage-card-42')).toBeTruthy();
    expect(within(screen.getByTestId('outages-recentlyRestored')).getByTestId('outage-card-40')).toBeTruthy();

    expect(screen.getByTestId('outage-expected-41').textContent).toBe('预计 11月29日 18:00 恢复供电');
    expect(screen.getByTestId('outage-expected-42').textContent).toBe('预计 12月2日 17:00 恢复供电');
    expect(screen.getByTestId('outage-expected-40').textContent).toBe('已于 11月27日 20:30 恢复供电');

    const current = screen.getByTestId('outage-card-41');
    expect(current.textContent).toContain('计划停电');
    expect(current.textContent).toContain('停电中');
    expect(current.textContent).toContain('文三路变压器增容');
    expect(current.textContent).toContain('计划 11月29日 08:00–18:00');
    expect(current.textContent).toContain('影响户号 3301000001、3301000002');
    const restored = screen.getByTestId('outage-card-40');
    expect(restored.textContent).toContain('故障停电');
    expect(restored.textContent).toContain('已复电');
    expect(restored.textContent).toContain('11月27日 19:05 开始停电');

    fireEvent.click(current);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/outages/pages/detail/index?id=41' });
    expect((await screen.findByTestId('notify-sms-state')).textContent).toBe('未开启');

    // Below my own: everyone's list, with the fault under way elsewhere and the district filter.
    const publicList = screen.getByTestId('outages-public');
    const fault = await within(publicList).findByTestId('outage-card-45');
    expect(fault.textContent).toContain('故障停电');
    expect(fault.textContent).toContain('停电中');
    expect(fault.textContent).toContain('湖墅路电缆故障');
    expect(list.contains(fault)).toBe(false);
    fireEvent.click(within(screen.getByTestId('district-picker')).getByText('拱墅区'));
    await vi.waitFor(() => expect(within(publicList).queryByTestId('state-loading')).toBeNull());
    expect(within(publicList).getByTestId('outage-card-45')).toBeTruthy();
    expect(within(publicList).queryByTestId('outage-card-42')).toBeNull();
    expect(calls().sort()).toEqual([
      'GET /api/accounts',
      'GET /api/notifications/preferences',
      'GET /api/outages',
      `GET /api/outages/mine`,
      `GET /api/outages?district=${encodeURIComponent('拱墅区')}`,
    ]);
  });

  it('leaves out empty sections and says so when nothing is planned', async () => {
    logIn();
    serve({
      'GET /api/accounts': ACCOUNTS,
      'GET /api/outages': ALL_PUBLIC,
      'GET /api/outages/mine': [
        reply(200, { current: [], upcoming: [UPCOMING], recentlyRestored: [] }),
        reply(200, { current: [], upcoming: [], recentlyRestored: [] }),
      ],
      'GET /api/notifications/preferences': PREFERENCES,
    });
    render(<OutagesPage />);
    await screen.findByTestId('outages-mine');
    expect(screen.getByTestId('outages-upcoming')).toBeTruthy();
    expect(screen.queryByTestId('outages-current')).toBeNull();
    expect(screen.queryByTestId('outages-recentlyRestored')).toBeNull();
    cleanup();

    render(<OutagesPage />);
    const mineList = await screen.findByTestId('outages-mine');
    expect(within(mineList).getByTestId('state-empty').textContent).toBe('您的户号近期没有停电安排');
  });

  it('shows a cancelled outage as cancelled, with the times it was planned for', async () => {
    logIn();
    const cancelled = mine({ id: 43, status: 'cancelled' });
    serve({
      'GET /api/accounts': ACCOUNTS,
      'GET /api/outages': ALL_PUBLIC,
      'GET /api/outages/mine': reply(200, { current: [], upcoming: [cancelled], recentlyRestored: [] }),
      'GET /api/notifications/preferences': PREFERENCES,
    });
    render(<OutagesPage />);
    expect((await screen.findByTestId('outage-expected-43')).textContent).toBe('已取消');
    expect(screen.getByTestId('outage-card-43').textContent).toContain('原定 12月2日 09:00–17:00');
  });

  it('shows the error state when the list fails, and recovers on retry', async () => {
    logIn();
    serve({
      'GET /api/accounts': ACCOUNTS,
      'GET /api/outages': ALL_PUBLIC,
      'GET /api/outages/mine': [failure(500, 'INTERNAL', 'Internal server error'), MINE],
      'GET /api/notifications/preferences': PREFERENCES,
    });
    render(<OutagesPage />);
    expect((await screen.findByTestId('state-error')).textContent).toContain('服务暂时不可用');
    expect(screen.queryByTestId('outages-mine')).toBeNull();
    fireEvent.click(screen.getByText('重试'));
    expect((await screen.findByTestId('outage-expected-41')).textContent).toBe('预计 11月29日 18:00 恢复供电');
    expect(calls().filter((call) => call === 'GET /api/outages/mine')).toHaveLength(2);
    expect(calls().filter((call) => call === 'GET /api/accounts')).toHaveLength(1);
  });

  it('retries the accounts when they fail to load', async () => {
    logIn();
    serve({
      'GET /api/accounts': [failure(500, 'INTERNAL', 'Internal server error'), ACCOUNTS],
      'GET /api/outages': ALL_PUBLIC,
      'GET /api/outages/mine': MINE,
      'GET /api/notifications/preferences': PREFERENCES,
    });
    render(<OutagesPage />);
    fireEvent.click(within(await screen.findByTestId('state-error')).getByText('重试'));
    expect(await screen.findByTestId('outages-mine')).toBeTruthy();
  });
});

describe('public outages', () => {
  const PUBLIC = reply(200, { districts: ['西湖区', '拱墅区'], outages: [outage({ id: 42 }), outage({ id: 44, district: '拱墅区', title: '湖墅路检修' })] });
  const district = (name: string) => `GET /api/outages?district=${encodeURIComponent(name)}`;

  it('lists everyone’s outages by district when logged out, and asks to log in and bind for one’s own', async () => {
    serve({ 'GET /api/outages': PUBLIC, [district('拱墅区')]: reply(200, { districts: ['西湖区', '拱墅区'], outages: [] }) });
    render(<OutagesPage />);
    const list = await screen.findByTestId('outage-card-42');
    expect(screen.getByTestId('outages-public').contains(list)).toBe(true);
    expect(screen.getByTestId('outage-card-44').textContent).toContain('湖墅路检修');
    expect(screen.getByTestId('outage-expected-42').textContent).toBe('预计 12月2日 17:00 恢复供电');
    expect(screen.getByTestId('outages-hint').textContent).toContain('登录并绑定户号后');
    expect(screen.queryByTestId('outages-mine')).toBeNull();
    expect(screen.queryByTestId('notify-card')).toBeNull();

    const picker = screen.getByTestId('district-picker');
    expect(Array.from(picker.children).map((chip) => chip.textContent)).toEqual(['全部', '西湖区', '拱墅区']);
    fireEvent.click(within(picker).getByText('拱墅区'));
    expect((await screen.findByTestId('state-empty')).textContent).toBe('拱墅区近期没有停电安排');
    expect(screen.getByTestId('district-拱墅区').className).toContain('outages__district--active');
    fireEvent.click(within(picker).getByText('全部'));
    expect(await screen.findByTestId('outage-card-44')).toBeTruthy();

    fireEvent.click(screen.getByText('去登录 ›'));
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/me/index' });
    // Logged out: nothing that needs a login is asked for.
    expect(calls()).toEqual(['GET /api/outages', district('拱墅区'), 'GET /api/outages']);
  });

  it('shows the public list to a logged-in customer without accounts, and leads to binding', async () => {
    logIn();
    serve({
      'GET /api/accounts': reply(200, { accounts: [], limit: 10 }),
      'GET /api/outages/mine': reply(200, { current: [], upcoming: [], recentlyRestored: [] }),
      'GET /api/outages': PUBLIC,
    });
    render(<OutagesPage />);
    expect(await screen.findByTestId('outage-card-42')).toBeTruthy();
    expect(screen.getByTestId('outages-hint').textContent).toContain('绑定户号后');
    fireEvent.click(screen.getByText('绑定户号 ›'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/account/pages/bind/index' });
  });

  it('shows the error state with retry', async () => {
    serve({ 'GET /api/outages': [failure(500, 'INTERNAL', 'Internal server error'), PUBLIC] });
    render(<OutagesPage />);
    expect((await screen.findByTestId('state-error')).textContent).toContain('服务暂时不可用');
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByTestId('outage-card-42')).toBeTruthy();
  });
});

describe('outage detail', () => {
  const open = (params: Record<string, string>) => vi.mocked(useRouter).mockReturnValue({ params, path: '/packages/outages/pages/detail/index' } as never);
  const DETAIL = outage({
    id: 41,
    status: 'in_progress',
    feeder: '文三线',
    scheduledStart: '2026-11-29T00:00:00Z',
    scheduledEnd: '2026-11-29T12:00:00Z',
    expectedBackAt: '2026-11-29T12:00:00Z',
    version: 3,
    updatedAt: '2026-11-29T06:00:00Z',
  });
  const HISTORY = [
    { event: 'published', at: '2026-11-25T02:00:00Z', changes: { title: DETAIL.title, scheduledStart: '2026-11-29T00:00:00Z' } },
    { event: 'started', at: '2026-11-29T00:02:00Z', changes: {} },
    { event: 'updated', at: '2026-11-29T06:00:00Z', changes: { scheduledEnd: { from: '2026-11-29T10:00:00Z', to: '2026-11-29T12:00:00Z' }, version: 3 } },
  ];

  it('shows the outage and its changes, newest first', async () => {
    open({ id: '41' });
    serve({ 'GET /api/outages/41': reply(200, { outage: DETAIL, history: HISTORY }) });
    render(<OutageDetailPage />);
    expect(screen.getByTestId('state-loading')).toBeTruthy();
    const detail = await screen.findByTestId('outage-detail');
    expect(calls()).toEqual(['GET /api/outages/41']);
    expect(detail.textContent).toContain('计划停电');
    expect(detail.textContent).toContain('停电中');
    expect(detail.textContent).toContain('文三路线路检修');
    expect(screen.getByTestId('outage-expected-41').textContent).toBe('预计 11月29日 20:00 恢复供电');
    expect(screen.getByTestId('outage-reason').textContent).toBe('10 千伏文三线年度检修，更换老旧开关柜');
    for (const fact of [
      '所在区域西湖区',
      '计划开始11月29日 08:00',
      '计划结束11月29日 20:00',
      '预计恢复11月29日 20:00',
      '停电线路文三线',
      '最近更新11月29日 14:00',
    ]) {
      expect(detail.textContent).toContain(fact);
    }
    expect(screen.getByTestId('outage-areas').textContent).toBe('TA-XH-001、TA-XH-002');

    const history = screen.getByTestId('outage-history');
    const items = Array.from(history.querySelectorAll('[data-testid^="history-"]'));
    expect(items.map((item) => item.getAttribute('data-testid'))).toEqual(['history-updated', 'history-started', 'history-published']);
    expect(items[0]!.textContent).toContain('停电信息变更');
    expect(items[0]!.textContent).toContain('11月29日 14:00');
    expect(items[0]!.textContent).toContain('预计恢复时间由 11月29日 18:00 改为 11月29日 20:00');
    // Bookkeeping fields are not shown, nor what the publication already says.
    expect(items[0]!.textContent).not.toContain('version');
    expect(items[2]!.textContent).toBe(`发布停电信息${formatInstant('2026-11-25T02:00:00Z')}`);
  });

  it('shows when power came back, a cancellation’s reason, and folds a long list of areas', async () => {
    open({ id: '45' });
    const areas = Array.from({ length: 30 }, (_, i) => `TA-XH-${String(i + 1).padStart(3, '0')}`);
    const cancelled = outage({ id: 45, status: 'cancelled', areas });
    const history = [
      { event: 'published', at: '2026-11-25T02:00:00Z', changes: {} },
      { event: 'cancelled', at: '2026-11-26T03:00:00Z', changes: { reason: '天气原因，检修改期' } },
    ];
    serve({ 'GET /api/outages/45': reply(200, { outage: cancelled, history }) });
    render(<OutageDetailPage />);
    expect((await screen.findByTestId('outage-expected-45')).textContent).toBe('已取消');
    expect(screen.getByTestId('outage-detail').textContent).not.toContain('预计恢复');
    expect(screen.getByTestId('history-cancelled').textContent).toContain('取消原因：天气原因，检修改期');
    expect(screen.getByTestId('outage-areas').textContent).not.toContain('TA-XH-013');
    fireEvent.click(screen.getByText('展开全部 30 个台区'));
    expect(screen.getByTestId('outage-areas').textContent).toContain('TA-XH-030');
  });

  it('shows the error state with retry', async () => {
    open({ id: '41' });
    serve({ 'GET /api/outages/41': [failure(404, 'NOT_FOUND', 'No such outage'), reply(200, { outage: DETAIL, history: HISTORY })] });
    render(<OutageDetailPage />);
    expect((await screen.findByTestId('state-error')).textContent).toContain('没有找到相关记录');
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByTestId('outage-history')).toBeTruthy();
  });

  it('does not call the API for a malformed link', () => {
    serve({});
    open({ id: 'abc' });
    render(<OutageDetailPage />);
    expect(screen.getByTestId('state-empty').textContent).toContain('停电信息不完整');
    expect(calls()).toEqual([]);
  });
});

describe('outage notifications', () => {
  const setUp = (routes: Parameters<typeof serve>[0]) => {
    logIn();
    serve({ 'GET /api/accounts': ACCOUNTS, 'GET /api/outages/mine': MINE, 'GET /api/outages': ALL_PUBLIC, ...routes });
    render(<OutagesPage />);
  };

  it('on H5 turns text messages on with PUT enabled: true and shows the new state', async () => {
    setUp({
      'GET /api/notifications/preferences': PREFERENCES,
      'PUT /api/notifications/sms': (request) => reply(200, { preferences: preferences({ smsOn: (request.data as { enabled: boolean }).enabled }) }),
    });
    expect((await screen.findByTestId('notify-sms-state')).textContent).toBe('未开启');
    // H5 has no subscribe messages.
    expect(screen.queryByTestId('notify-wechat-subscribe')).toBeNull();
    const toggle = screen.getByTestId('notify-sms-toggle');
    expect(toggle.textContent).toBe('开启');
    fireEvent.click(toggle);
    await vi.waitFor(() => expect(screen.getByTestId('notify-sms-state').textContent).toBe('已开启'));
    expect(sent('PUT')).toHaveLength(1);
    expect(sent('PUT')[0]).toMatchObject({ url: '/api/notifications/sms', data: { topic: 'outage', enabled: true } });
    expect(toggle.textContent).toBe('关闭');
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '已开启', icon: 'success' });

    fireEvent.click(toggle);
    await vi.waitFor(() => expect(screen.getByTestId('notify-sms-state').textContent).toBe('未开启'));
    expect(sent('PUT')[1]).toMatchObject({ data: { topic: 'outage', enabled: false } });
  });

  it('shows why the server refused text messages, and keeps the old state', async () => {
    setUp({
      'GET /api/notifications/preferences': PREFERENCES,
      'PUT /api/notifications/sms': failure(409, 'NO_PHONE', 'Add a phone number to receive text messages'),
    });
    fireEvent.click(await screen.findByTestId('notify-sms-toggle'));
    expect((await screen.findByTestId('notify-error')).textContent).toBe('账号未关联手机号，无法开启短信通知');
    expect(screen.getByTestId('notify-sms-state').textContent).toBe('未开启');
  });

  it('shows the preferences error state with retry', async () => {
    setUp({ 'GET /api/notifications/preferences': [failure(500, 'INTERNAL', 'Internal server error'), PREFERENCES] });
    const card = await screen.findByTestId('notify-card');
    fireEvent.click(await within(card).findByText('重试'));
    expect((await screen.findByTestId('notify-sms-state')).textContent).toBe('未开启');
  });

  describe('in the mini-program', () => {
    beforeEach(() => {
      target.name = 'weapp';
    });

    it('asks WeChat for consent within the tap, records the answer and shows the grants left', async () => {
      setUp({
        'GET /api/notifications/preferences': reply(200, { preferences: preferences({ wechat: true, grants: 2 }) }),
        'POST /api/notifications/wechat-consent': reply(200, { preferences: preferences({ wechat: true, grants: 3 }) }),
      });
      vi.mocked(Taro.requestSubscribeMessage).mockResolvedValueOnce({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'accept' } as never);
      expect((await screen.findByTestId('notify-wechat-grants')).textContent).toBe('还可接收 2 次通知');
      expect(screen.getByTestId('notify-card').textContent).toContain('每同意一次，可收到一条停电通知');
      expect(screen.queryByTestId('notify-sms-toggle')).toBeNull();

      fireEvent.click(screen.getByTestId('notify-wechat-subscribe'));
      // Synchronously, in the same tap: WeChat refuses the dialog once anything has been awaited.
      expect(Taro.requestSubscribeMessage).toHaveBeenCalledTimes(1);
      expect(vi.mocked(Taro.requestSubscribeMessage).mock.calls[0]![0]).toMatchObject({ tmplIds: [TEMPLATE] });

      await vi.waitFor(() => expect(screen.getByTestId('notify-wechat-grants').textContent).toBe('还可接收 3 次通知'));
      expect(sent('POST')).toHaveLength(1);
      expect(sent('POST')[0]).toMatchObject({ url: '/api/notifications/wechat-consent', data: { results: { [TEMPLATE]: 'accept' } } });
      expect(Taro.showToast).toHaveBeenCalledWith({ title: '订阅成功', icon: 'success' });
      expect(screen.queryByTestId('notify-error')).toBeNull();
    });

    it('records a refusal too, and says what it means', async () => {
      setUp({
        'GET /api/notifications/preferences': reply(200, { preferences: preferences({ wechat: true, grants: 2 }) }),
        'POST /api/notifications/wechat-consent': reply(200, { preferences: preferences({ wechat: true, grants: 0 }) }),
      });
      vi.mocked(Taro.requestSubscribeMessage).mockResolvedValueOnce({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'ban' } as never);
      fireEvent.click(await screen.findByTestId('notify-wechat-subscribe'));
      expect((await screen.findByTestId('notify-error')).textContent).toContain('通知管理');
      expect(sent('POST')[0]).toMatchObject({ data: { results: { [TEMPLATE]: 'ban' } } });
      expect(screen.getByTestId('notify-wechat-grants').textContent).toBe('还可接收 0 次通知');
      expect(Taro.showToast).not.toHaveBeenCalled();
    });

    it('says so when the consent dialog fails, without calling the server', async () => {
      setUp({ 'GET /api/notifications/preferences': reply(200, { preferences: preferences({ wechat: true }) }) });
      vi.mocked(Taro.requestSubscribeMessage).mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail 20004' });
      fireEvent.click(await screen.findByTestId('notify-wechat-subscribe'));
      expect((await screen.findByTestId('notify-error')).textContent).toBe('未能打开订阅窗口，请稍后重试');
      expect(sent('POST')).toHaveLength(0);
    });

    it('offers text messages when WeChat cannot reach this customer', async () => {
      setUp({ 'GET /api/notifications/preferences': reply(200, { preferences: preferences({ wechat: false, sms: true, smsOn: true }) }) });
      expect((await screen.findByTestId('notify-sms-state')).textContent).toBe('已开启');
      expect(screen.queryByTestId('notify-wechat-subscribe')).toBeNull();
    });
  });
});
