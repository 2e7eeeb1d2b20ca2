import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import PaymentReceiptPage from '../../miniapp/src/packages/payments/pages/receipt/index';
import { receiptSaving as weappSaving } from '../../miniapp/src/packages/payments/receipt/saving.weapp';
import { resetTaroStorage } from '../support/taro/taro';
import { failure, logIn, reply, serve } from './fake-api';
import { sampleReceipt } from './receipt-fixtures';

const open = (id = '9') => {
  vi.mocked(useRouter).mockReturnValue({ params: { id }, path: '' } as never);
  render(<PaymentReceiptPage />);
};
const field = (label: string) => screen.getByTestId(`receipt-${label}`).textContent;

/** Text width at 26px: Chinese characters full width, digits and letters about half. */
const measureText = (text: string) => ({ width: [...text].reduce((sum, char) => sum + (char.charCodeAt(0) > 255 ? 26 : 14), 0) });

/** A canvas context that records what was written on it, as jsdom has none. */
function fakeCanvas() {
  const texts: string[] = [];
  const ctx = new Proxy({ measureText, fillText: (text: string) => void texts.push(text) } as Record<string, unknown>, {
    get: (target, key: string) => target[key] ?? (() => undefined),
    set: (target, key: string, value) => ((target[key] = value), true),
  });
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx as never);
  vi.spyOn(HTMLCanvasElement.prototype, 'toBlob').mockImplementation((done) => done(new Blob(['png'], { type: 'image/png' })));
  return texts;
}

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.redirectTo).mockClear();
  resetTaroStorage();
  logIn();
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.mocked(useRouter).mockReset();
});

describe('electronic receipt page', () => {
  it('shows the receipt: payee, Beijing time, channel, trade number, masked account, each bill month and the total in capitals', async () => {
    serve({ 'GET /api/payments/9/receipt': reply(200, { receipt: sampleReceipt() }) });
    open();
    expect((await screen.findByTestId('receipt')).textContent).toContain('电子收费凭证');
    expect(field('收款单位')).toBe('江南示范供电公司');
    expect(field('缴费时间')).toBe('2026-12-07 09:45:12');
    expect(field('支付方式')).toBe('微信支付');
    expect(field('交易单号')).toBe('4200002026120712345678');
    expect(field('凭证号')).toBe('R20261207094512ABCDEF1234');
    expect(field('户号')).toBe('3301000001');
    expect(field('户名')).toBe('张*');
    expect(field('用电地址')).toBe('杭州市西湖区****');
    expect(field('2026-10')).toBe('电费 ¥153.54（含违约金 ¥0.54）');
    expect(field('2026-11')).toBe('电费 ¥10.00');
    expect(field('合计金额')).toBe('¥163.54');
    expect(field('大写金额')).toBe('人民币壹佰陆拾叁元伍角肆分');
    expect(screen.getByTestId('receipt-seal').textContent).toBe('电子凭证专用');
    expect(screen.getByTestId('receipt-save-image').textContent).toBe('保存为图片');
    expect(screen.getByTestId('receipt-save-print').textContent).toBe('打印/存为PDF');
  });

  it('a top-up shows its amount instead of bill months; a refunded payment says so on its mark', async () => {
    serve({
      'GET /api/payments/9/receipt': reply(200, {
        receipt: sampleReceipt({ purpose: 'top_up', bills: [], prepaymentFen: 20_000, totalFen: 20_000, totalInWords: '贰佰元整', refund: 'REFUNDED' }),
      }),
    });
    open();
    await screen.findByTestId('receipt');
    expect(field('缴费项目')).toBe('预存电费');
    expect(field('预存金额')).toBe('¥200.00');
    expect(screen.queryByText(/^\d{4}-\d{2}$/)).toBeNull();
    expect(screen.getByTestId('receipt-seal').textContent).toBe('已退款');
  });

  it('an order not paid has no receipt and leads to its result page; other errors offer a retry', async () => {
    serve({ 'GET /api/payments/9/receipt': failure(409, 'PAYMENT_NOT_PAID', 'not paid') });
    open();
    expect((await screen.findByTestId('receipt-unpaid')).textContent).toContain('尚未完成');
    fireEvent.click(screen.getByText('查看支付结果'));
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/payments/pages/result/index?id=9' });
    cleanup();

    serve({ 'GET /api/payments/9/receipt': [failure(500, 'INTERNAL', 'boom'), reply(200, { receipt: sampleReceipt() })] });
    open();
    fireEvent.click(await screen.findByText('重试'));
    expect(await screen.findByTestId('receipt')).toBeTruthy();
  });

  it('保存为图片 draws every line on a canvas and downloads it as a PNG named after the receipt', async () => {
    const drawn = fakeCanvas();
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:receipt');
    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(`${this.download} ${this.href}`);
    });
    serve({ 'GET /api/payments/9/receipt': reply(200, { receipt: sampleReceipt() }) });
    open();
    fireEvent.click(await screen.findByTestId('receipt-save-image'));
    await vi.waitFor(() => expect(screen.getByTestId('receipt-message').textContent).toBe('图片已保存到下载目录'));
    expect(downloads).toEqual(['电子收费凭证-R20261207094512ABCDEF1234.png blob:receipt']);
    for (const text of [
      '电子收费凭证',
      '江南示范供电公司',
      '2026-12-07 09:45:12',
      '微信支付',
      '4200002026120712345678',
      '3301000001',
      '2026-10',
      '电费 ¥153.54（含违约金 ¥0.54）',
      '人民币壹佰陆拾叁元伍角肆分',
    ]) {
      expect(drawn).toContain(text);
    }
  });

  it('says so when the browser cannot draw, and 打印/存为PDF opens the print dialog', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const print = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    serve({ 'GET /api/payments/9/receipt': reply(200, { receipt: sampleReceipt() }) });
    open();
    fireEvent.click(await screen.findByTestId('receipt-save-image'));
    await vi.waitFor(() => expect(screen.getByTestId('receipt-message').textContent).toContain('无法生成图片'));
    fireEvent.click(screen.getByTestId('receipt-save-print'));
    expect(print).toHaveBeenCalledTimes(1);
  });
});

describe('saving the receipt in the mini-program', () => {
  const wx = Taro as unknown as Record<string, ReturnType<typeof vi.fn>>;
  let texts: string[];
  beforeEach(() => {
    texts = [];
    const ctx = new Proxy({ measureText, fillText: (text: string) => void texts.push(text) } as Record<string, unknown>, {
      get: (target, key: string) => target[key] ?? (() => undefined),
      set: (target, key: string, value) => ((target[key] = value), true),
    });
    const canvas = { width: 300, height: 150, getContext: () => ctx };
    const query = { select: () => query, fields: () => query, exec: (done: (results: unknown[]) => void) => done([{ node: canvas }]) };
    Object.assign(Taro, {
      createSelectorQuery: vi.fn(() => query),
      canvasToTempFilePath: vi.fn(async () => ({ tempFilePath: 'wxfile://tmp/receipt.png', errMsg: 'canvasToTempFilePath:ok' })),
      saveImageToPhotosAlbum: vi.fn(async () => ({ errMsg: 'saveImageToPhotosAlbum:ok' })),
      openSetting: vi.fn(async () => ({ authSetting: {}, errMsg: 'openSetting:ok' })),
    });
    vi.mocked(Taro.showModal).mockClear();
  });

  it('offers only the image, drawn on the page canvas and saved to the album', async () => {
    expect(weappSaving.kinds).toEqual(['image']);
    await expect(weappSaving.save('image', sampleReceipt())).resolves.toBe('已保存到手机相册');
    expect(texts).toContain('人民币壹佰陆拾叁元伍角肆分');
    expect(wx.canvasToTempFilePath).toHaveBeenCalledWith(expect.objectContaining({ fileType: 'png', width: 1500 }));
    expect(wx.saveImageToPhotosAlbum).toHaveBeenCalledWith({ filePath: 'wxfile://tmp/receipt.png' });
  });

  it('a refused album permission is explained, with the way to the settings; nothing is reported saved', async () => {
    wx.saveImageToPhotosAlbum!.mockRejectedValue({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' });
    await expect(weappSaving.save('image', sampleReceipt())).rejects.toThrow('未获得相册权限');
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ confirmText: '去设置' }));
    expect(wx.openSetting).toHaveBeenCalledTimes(1);
    wx.saveImageToPhotosAlbum!.mockRejectedValue({ errMsg: 'saveImageToPhotosAlbum:fail cancel' });
    await expect(weappSaving.save('image', sampleReceipt())).rejects.toThrow('已取消保存');
  });
});
