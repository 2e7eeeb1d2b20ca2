import { Canvas } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { ElectronicReceipt } from '../../../../../shared/contracts/payments';
import { drawReceipt, receiptHeight, RECEIPT_WIDTH, type Context2D } from './draw';
import { ReceiptSaveError, type ReceiptSaving } from './saving-types';

export * from './saving-types';

const CANVAS_ID = 'receipt-canvas';
const SCALE = 2;
/** saveImageToPhotosAlbum's refusals of the album permission (denied now, or earlier and remembered). */
const DENIED = /auth|deny|denied|authorize/i;

function canvasNode(): Promise<Taro.Canvas> {
  return new Promise((resolve, reject) => {
    Taro.createSelectorQuery()
      .select(`#${CANVAS_ID}`)
      .fields({ node: true, size: true })
      .exec((results: Array<{ node?: Taro.Canvas } | null>) => {
        const node = results?.[0]?.node;
        if (node) resolve(node);
        else reject(new ReceiptSaveError('生成图片失败，请重试'));
      });
  });
}

/** The receipt drawn on the page's 2d canvas and exported as a temporary PNG file. */
async function receiptFile(receipt: ElectronicReceipt): Promise<string> {
  const canvas = await canvasNode();
  const ctx = canvas.getContext('2d') as unknown as Context2D;
  const height = receiptHeight(ctx, receipt);
  canvas.width = RECEIPT_WIDTH * SCALE;
  canvas.height = height * SCALE;
  ctx.scale(SCALE, SCALE);
  drawReceipt(ctx, receipt, height);
  const { tempFilePath } = await Taro.canvasToTempFilePath({
    canvas,
    x: 0,
    y: 0,
    width: canvas.width,
    height: canvas.height,
    destWidth: canvas.width,
    destHeight: canvas.height,
    fileType: 'png',
  });
  return tempFilePath;
}

export const receiptSaving: ReceiptSaving = {
  kinds: ['image'],
  async save(_kind, receipt) {
    const filePath = await receiptFile(receipt).catch((err: unknown) => {
      throw err instanceof ReceiptSaveError ? err : new ReceiptSaveError('生成图片失败，请重试');
    });
    try {
      await Taro.saveImageToPhotosAlbum({ filePath });
    } catch (err) {
      const errMsg = (err as { errMsg?: string } | undefined)?.errMsg ?? '';
      if (/cancel/i.test(errMsg)) throw new ReceiptSaveError('已取消保存');
      if (!DENIED.test(errMsg)) throw new ReceiptSaveError('保存失败，请重试');
      // Once refused, WeChat does not ask again: only its settings page can grant the album.
      const { confirm } = await Taro.showModal({
        title: '无法保存到相册',
        content: '需要允许“保存到相册”才能把收费凭证存为图片。是否前往设置开启？',
        confirmText: '去设置',
      });
      if (confirm) await Taro.openSetting();
      throw new ReceiptSaveError('未获得相册权限，凭证未保存。开启“保存到相册”后请重试');
    }
    return '已保存到手机相册';
  },
  // Off screen: it is only drawn on to make the image.
  Canvas: () => <Canvas type="2d" id={CANVAS_ID} style={{ position: 'fixed', left: '-10000px', top: '0', width: `${RECEIPT_WIDTH}px`, height: '1600px' }} />,
};
