import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkOrderDetail } from '../../shared/contracts/requests';
import RequestDetailPage from '../../miniapp/src/packages/requests/pages/detail/index';
import MyRequestsPage from '../../miniapp/src/packages/requests/pages/mine/index';
import { resetTaroStorage } from '../support/taro/taro';
import { IN_SURVEY } from './request-fixtures';
import { failure, logIn, reply, serve } from './fake-api';

const files = vi.hoisted(() => ({ pick: vi.fn(), upload: vi.fn() }));
vi.mock('../../miniapp/src/platform', async (importOriginal) => {
  const h5 = await importOriginal<typeof import('../../miniapp/src/platform/index.h5')>();
  return { ...h5, platform: { ...h5.platform, pickFiles: files.pick, uploadFile: files.upload } };
});

const detail = (order: Partial<WorkOrderDetail>) => reply(200, { order: { ...IN_SURVEY, ...order } });
const preferences = (sms: boolean) =>
  reply(200, {
    preferences: {
      channels: { wechat: false, sms: true },
      topics: [
        { topic: 'outage', templateId: 'TPL_OUTAGE_NOTICE', wechatGrants: 0, sms: false },
        { topic: 'workorder', templateId: 'TPL_WORKORDER_PROGRESS', wechatGrants: 0, sms },
      ],
    },
  });
const PREFERENCES = { 'GET /api/notifications/preferences': preferences(false) };
const entries = (status: string) => screen.queryAllByTestId(`timeline-${status}`).map((entry) => entry.textContent);
const open = (id: string) => {
  vi.mocked(useRouter).mockReturnValue({ params: { id }, path: '/packages/requests/pages/detail/index' } as never);
  return render(<RequestDetailPage />);
};
const sent = (method: string) =>
  vi
    .mocked(Taro.request)
    .mock.calls.map(([options]) => options as { method: string; url: string; data?: unknown })
    .filter((options) => options.method === method);

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
  vi.mocked(Taro.showModal).mockClear();
  files.pick.mockReset();
  files.upload.mockReset();
  logIn();
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('request timeline', () => {
  it('shows what happened, the stage under way with its deadline, and when each later stage is expected', async () => {
    serve({ 'GET /api/service-requests/31': detail({}), ...PREFERENCES });
    open('31');
    expect(screen.getByTestId('state-loading')).toBeTruthy();
    await screen.findByTestId('timeline');
    expect(screen.getByTestId('request-state').textContent).toBe('办理中 · 现场勘查');
    expect(screen.getByTestId('request-no').textContent).toBe('GD20261127000031');
    // Staff-only events (the 80 % warning) are not the customer's timeline; the back office's note is.
    expect(entries('done')).toEqual(['提交申请11月27日 10:00', '受理完成11月27日 14:30资料齐全，已受理']);
    expect(entries('current')).toEqual(['现场勘查（办理中）应于 12月1日 23:59 前完成']);
    expect(entries('upcoming')).toEqual(['供电方案答复预计 12月22日 23:59 前完成', '竣工检验预计 12月29日 23:59 前完成', '装表接电预计 1月6日 23:59 前完成']);
    expect(screen.queryByTestId('request-cancel')).toBeNull();
    expect(screen.queryByTestId('rate-request')).toBeNull();
    expect(screen.getByTestId('request-detail').textContent).toContain('1000 千伏安');
  });

  it('lists the documents filed with the application, each with where its review stands', async () => {
    const documents = [
      { id: 301, kind: 'business_licence', filename: 'licence.jpg', mimeType: 'image/jpeg', sizeBytes: 240_000, status: 'accepted' },
      { id: 302, kind: 'load_list', filename: 'loads.pdf', mimeType: 'application/pdf', sizeBytes: 80_000, status: 'need_replacing' },
      { id: 303, kind: 'supplement', filename: 'room.png', mimeType: 'image/png', sizeBytes: 4096, status: 'received' },
    ] as const;
    serve({ 'GET /api/service-requests/31': detail({ documents: [...documents] }), ...PREFERENCES });
    open('31');
    const list = await screen.findByTestId('order-documents');
    expect(list.textContent).toContain('已交资料');
    expect(screen.getByTestId('order-doc-301').textContent).toBe('营业执照licence.jpg（234 KB）审核通过');
    expect(screen.getByTestId('order-doc-302').textContent).toBe('用电设备清单loads.pdf（78 KB）需重新提交');
    expect(screen.getByTestId('order-doc-303').textContent).toBe('其他资料room.png（4 KB）已接收');
  });

  it('shows no documents card for a request filed without any', async () => {
    serve({ 'GET /api/service-requests/31': detail({ documents: [] }), ...PREFERENCES });
    open('31');
    await screen.findByTestId('timeline');
    expect(screen.queryByTestId('order-documents')).toBeNull();
  });

  it('says so when a stage is past its time limit', async () => {
    serve({ 'GET /api/service-requests/31': detail({ overdue: true }), ...PREFERENCES });
    open('31');
    await screen.findByTestId('timeline');
    expect(screen.getByTestId('request-state').textContent).toBe('办理中 · 现场勘查 · 已超时');
    expect(entries('current')).toEqual(['现场勘查（办理中）已超过办理时限（应于 12月1日 23:59 前完成），我们正在加紧处理']);
  });

  it('lets the customer have each stage change texted to them, on H5 where there are no subscribe messages', async () => {
    serve({ 'GET /api/service-requests/31': detail({}), ...PREFERENCES, 'PUT /api/notifications/sms': preferences(true) });
    open('31');
    expect((await screen.findByTestId('notify-sms-state')).textContent).toBe('未开启');
    expect(screen.getByTestId('notify-card').textContent).toContain('短信通知办理进度');
    fireEvent.click(screen.getByTestId('notify-sms-toggle'));
    await vi.waitFor(() => expect(screen.getByTestId('notify-sms-state').textContent).toBe('已开启'));
    expect(sent('PUT').map((request) => request.data)).toEqual([{ topic: 'workorder', enabled: true }]);
  });

  it('shows the loading error with a retry, and a broken link or a missing login plainly', async () => {
    serve({ 'GET /api/service-requests/31': [failure(404, 'NOT_FOUND', 'Work order not found'), detail({})], ...PREFERENCES });
    open('31');
    fireEvent.click(within(await screen.findByTestId('state-error')).getByText('重试'));
    expect(await screen.findByTestId('timeline')).toBeTruthy();
    cleanup();
    open('abc');
    expect(screen.getByTestId('gate-link')).toBeTruthy();
    cleanup();
    resetTaroStorage();
    open('31');
    expect(screen.getByTestId('gate-login')).toBeTruthy();
  });
});

describe('acting on a request', () => {
  it('asks for documents with the staff note, uploads them and sends them together', async () => {
    const waiting = detail({
      state: 'awaiting_documents',
      events: [
        ...IN_SURVEY.events,
        { action: 'request_documents', state: 'awaiting_documents', stage: 'survey', actor: 'staff', note: '请补充配电房照片', at: '2026-11-28T01:00:00Z' },
      ],
    });
    serve({
      'GET /api/service-requests/31': [waiting, detail({})],
      'POST /api/service-requests/31/documents': reply(200, { order: { id: 31 } }),
      ...PREFERENCES,
    });
    open('31');
    await screen.findByTestId('supply-documents');
    expect(screen.getByTestId('request-state').textContent).toBe('待补充资料');
    expect(entries('waiting')).toEqual(['现场勘查：待您补充资料请补充配电房照片']);
    expect(entries('upcoming')).toHaveLength(3);
    expect((screen.getByTestId('supply-send') as HTMLButtonElement).disabled).toBe(true);

    files.pick.mockResolvedValueOnce([{ name: 'room.png', size: 4096, source: 'blob:1' }]).mockResolvedValueOnce([]);
    files.upload.mockResolvedValueOnce({
      status: 201,
      headers: {},
      data: { document: { id: 90, kind: 'supplement', filename: 'room.png', mimeType: 'image/png', sizeBytes: 4096 } },
    });
    fireEvent.click(screen.getByTestId('supply-add'));
    expect(await screen.findByText('room.png')).toBeTruthy();
    // Closing the chooser adds nothing.
    fireEvent.click(screen.getByTestId('supply-add'));
    await vi.waitFor(() => expect(screen.getByTestId('supply-add').textContent).toBe('添加文件'));
    expect(files.pick).toHaveBeenCalledTimes(2);
    expect(files.upload).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByTestId('supply-send'));
    await vi.waitFor(() => expect(screen.queryByTestId('supply-documents')).toBeNull());
    expect(sent('POST').map((request) => request.data)).toEqual([{ documents: [90] }]);
    expect(screen.getByTestId('request-state').textContent).toBe('办理中 · 现场勘查');
  });

  it('cancels while still being accepted, only after the customer confirms', async () => {
    const accepting = detail({ stage: 'accepted', stageName: '受理', canCancel: true, events: IN_SURVEY.events.slice(0, 1) });
    const cancelled = detail({
      state: 'cancelled',
      stage: null,
      stageName: null,
      stageDeadline: null,
      canCancel: false,
      upcoming: [],
      events: [
        ...IN_SURVEY.events.slice(0, 1),
        { action: 'cancel', state: 'cancelled', stage: null, actor: 'customer', note: null, at: '2026-11-27T03:00:00Z' },
      ],
    });
    serve({
      'GET /api/service-requests/31': [accepting, cancelled],
      'POST /api/service-requests/31/cancel': reply(200, { order: { id: 31 } }),
      ...PREFERENCES,
    });
    open('31');
    vi.mocked(Taro.showModal).mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'showModal:ok' });
    fireEvent.click(await screen.findByTestId('request-cancel'));
    await vi.waitFor(() => expect(Taro.showModal).toHaveBeenCalledTimes(1));
    expect(sent('POST')).toHaveLength(0);

    fireEvent.click(screen.getByTestId('request-cancel'));
    await vi.waitFor(() => expect(screen.getByTestId('request-state').textContent).toBe('已取消'));
    expect(sent('POST')).toHaveLength(1);
    expect(entries('done')).toEqual(['提交申请11月27日 10:00', '您撤销了申请11月27日 11:00']);
    expect(entries('upcoming')).toEqual([]);
    expect(screen.queryByTestId('request-cancel')).toBeNull();
  });

  it('rates a completed request once, 1 to 5', async () => {
    const done = {
      state: 'completed' as const,
      stage: null,
      stageName: null,
      stageDeadline: null,
      upcoming: [],
      events: [
        ...IN_SURVEY.events,
        { action: 'complete', state: 'completed' as const, stage: null, actor: 'staff', note: '已装表送电', at: '2026-12-20T08:00:00Z' },
      ],
    };
    serve({ 'GET /api/service-requests/31': [detail(done), detail({ ...done, rating: 4 })], 'POST /api/service-requests/31/rating': reply(200, { ok: true }) });
    open('31');
    await screen.findByTestId('rate-request');
    expect(entries('done').at(-1)).toBe('现场勘查完成，已办结12月20日 16:00已装表送电');
    expect((screen.getByTestId('rate-submit') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('rate-star-4'));
    fireEvent.click(screen.getByTestId('rate-submit'));
    expect((await screen.findByTestId('rating-given')).textContent).toBe('★★★★☆');
    expect(sent('POST').map((request) => request.data)).toEqual([{ rating: 4 }]);
  });
});

describe('my requests', () => {
  it('lists my requests with where each stands, and opens one', async () => {
    const summary = (id: number, fields: object) => ({ ...IN_SURVEY, id, ticketNo: `GD20261127${String(id).padStart(6, '0')}`, ...fields });
    serve({
      'GET /api/service-requests': reply(200, {
        orders: [
          summary(33, { type: 'complaint', typeName: '投诉', state: 'awaiting_documents', stage: 'investigate', stageName: '调查处理' }),
          summary(31, { overdue: true }),
          summary(30, { typeName: '意见建议', state: 'completed' }),
        ],
      }),
    });
    render(<MyRequestsPage />);
    const list = await screen.findByTestId('my-requests');
    expect(screen.getByTestId('my-request-33').textContent).toBe('投诉待补充资料GD20261127000033 · 11月27日 10:00');
    expect(screen.getByTestId('my-request-31').textContent).toBe('增容办理中 · 现场勘查GD20261127000031 · 11月27日 10:00已超时');
    expect(within(list).getByTestId('my-request-30').textContent).toContain('已办结');
    fireEvent.click(screen.getByTestId('my-request-31'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/requests/pages/detail/index?id=31' });
  });

  it('invites a customer with no requests to the service hall', async () => {
    serve({ 'GET /api/service-requests': reply(200, { orders: [] }) });
    render(<MyRequestsPage />);
    fireEvent.click(within(await screen.findByTestId('state-empty')).getByText('去办理'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/requests/pages/index/index' });
  });
});
