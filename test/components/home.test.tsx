import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Home from '../../miniapp/src/pages/home/index';
import Bills from '../../miniapp/src/pages/bills/index';

const META = {
  utility: { name: '江南示范供电公司', shortName: '江南供电', hotline: '95598', serviceHours: '全天 24 小时' },
  notices: [
    { id: 2, title: '停电检修通知', summary: '周六 8:00–12:00 检修', level: 'urgent', publishedAt: '2026-11-27T16:30:00Z' },
    { id: 1, title: '缴费渠道', summary: '微信、支付宝', level: 'info', publishedAt: '2026-11-20T02:00:00Z' },
  ],
};

const request = vi.mocked(Taro.request);
const reply = (statusCode: number, data: unknown) => ({ statusCode, data, header: {}, errMsg: 'request:ok' }) as never;

beforeEach(() => request.mockReset());
afterEach(cleanup);

describe('home page', () => {
  it('shows loading, then the utility, its hotline and the notices from the API', async () => {
    request.mockResolvedValueOnce(reply(200, META));
    render(<Home />);
    expect(screen.getByTestId('state-loading')).toBeTruthy();
    expect(await screen.findByText('江南示范供电公司')).toBeTruthy();
    expect(screen.getByText('服务热线 95598')).toBeTruthy();
    const list = screen.getByTestId('notice-list');
    expect(list.textContent).toContain('停电检修通知');
    expect(list.textContent).toContain('紧急');
    // Published 16:30 UTC on the 27th is the 28th in China.
    expect(list.textContent).toContain('2026-11-28');
    expect(request.mock.calls[0]![0]).toMatchObject({ url: '/api/meta', method: 'GET' });
  });

  it('shows the error state when the API fails, and recovers on retry', async () => {
    const failure = reply(500, { error: { code: 'INTERNAL', message: 'Internal server error', requestId: 'r' } });
    request.mockResolvedValueOnce(failure).mockResolvedValueOnce(reply(200, META));
    render(<Home />);
    const error = await screen.findByTestId('state-error');
    expect(error.textContent).toContain('服务暂时不可用');
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByTestId('notice-list')).toBeTruthy();
  });

  it('shows the empty state when nothing is published', async () => {
    request.mockResolvedValueOnce(reply(200, { ...META, notices: [] }));
    render(<Home />);
    expect((await screen.findByTestId('state-empty')).textContent).toContain('暂无通知公告');
  });

  it('opens a feature subpackage from its entry and a tab page by switching tabs', async () => {
    request.mockResolvedValueOnce(reply(200, META));
    render(<Home />);
    fireEvent.click(screen.getByTestId('entry-repair'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/requests/pages/form/index?type=fault_repair' });
    fireEvent.click(screen.getByTestId('entry-bills'));
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/bills/index' });
  });
});

describe('bills page before an account is bound', () => {
  it('explains what will appear and leads to the Me tab', () => {
    render(<Bills />);
    expect(screen.getByTestId('state-empty').textContent).toContain('绑定户号后');
    fireEvent.click(screen.getByText('前往“我的”'));
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/me/index' });
  });
});
