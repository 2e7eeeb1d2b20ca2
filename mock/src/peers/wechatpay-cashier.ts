import type Router from '@koa/router';
import type { Context } from 'koa';
import { json, readRaw } from '../http';
import { actionForm, cashierPage, escapeHtml } from '../payments/html';
import { readJson } from '../payments/knobs';
import { verifyRsa } from '../payments/wechatpay-crypto';
import type { Order } from '../payments/wechatpay-views';
import { fenToYuan } from '../../../shared/money';

export interface WechatPayCashierLedger {
  appId: string;
  mchId: string;
  merchantPublicKey: string;
  findByPrepayId(prepayId: string): Order | undefined;
  /** The H5 order an h5_url names: undefined when unknown, 'expired' when the link is older than five minutes. */
  h5Order(prepayId: string, pkg: string): Order | 'expired' | undefined;
  pay(order: Order, openid: string): 'ok' | 'paid' | 'closed' | 'expired';
  newOpenid(): string;
}

const BRAND = { title: '微信支付', brand: '微信支付', color: '#07c160' };
const PAY_REFUSED = { paid: '该订单已支付', closed: '订单已关闭', expired: '订单已过期' } as const;
const TRADE_TITLES: Record<Exclude<Order['state'], 'NOTPAY'>, string> = { SUCCESS: '订单已支付', REFUND: '订单已支付', CLOSED: '订单已关闭' };

function page(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html';
  ctx.body = cashierPage({ ...BRAND, body });
}

function message(ctx: Context, status: number, title: string, detail: string): void {
  page(ctx, status, `<div class="card"><h2>${escapeHtml(title)}</h2><p class="muted">${escapeHtml(detail)}</p></div>`);
}

/** After the cashier WeChat sends the browser to redirect_url, paid or not: the merchant must query. */
function leave(ctx: Context, redirectUrl: string, title: string, detail: string): void {
  if (redirectUrl && URL.canParse(redirectUrl)) return ctx.redirect(redirectUrl);
  message(ctx, 200, title, detail);
}

async function readForm(ctx: Context): Promise<URLSearchParams> {
  return new URLSearchParams((await readRaw(ctx)).toString('utf8'));
}

/**
 * The person's side of WeChat Pay: the H5 cashier behind `h5_url` (a page with pay and cancel
 * forms) and `POST /wechatpay/_requestPayment`, which plays `wx.requestPayment` for a JSAPI order
 * in the embedded demo: it checks paySign as the WeChat client does and answers with its errMsg.
 */
export function mountWechatPayCashier(router: Router, ledger: WechatPayCashierLedger): void {
  router.get('/cashier/h5', (ctx) => {
    const { prepay_id: prepayId = '', package: pkg = '', redirect_url: redirectUrl = '' } = ctx.query as Record<string, string>;
    const order = ledger.h5Order(prepayId, pkg);
    if (order === 'expired') return message(ctx, 410, '链接已失效', '支付链接的有效期为5分钟，请返回商户页面重新发起支付。');
    if (!order || order.tradeType !== 'MWEB') return message(ctx, 404, '订单不存在', '请返回商户页面重新发起支付。');
    if (order.state !== 'NOTPAY') return message(ctx, 409, TRADE_TITLES[order.state], '请返回商户页面查看订单。');
    const fields = { prepay_id: prepayId, package: pkg, redirect_url: redirectUrl };
    page(
      ctx,
      200,
      `<div class="card">
  <div class="muted">${escapeHtml(order.description)}</div>
  <div class="amount">￥${fenToYuan(order.total)}</div>
  <div class="muted">商户号 ${escapeHtml(ledger.mchId)} · 订单号 ${escapeHtml(order.outTradeNo)}</div>
</div>
${actionForm('/wechatpay/cashier/h5/pay', fields, { label: '确认支付', className: 'pay', name: 'pay' })}
${actionForm('/wechatpay/cashier/h5/cancel', fields, { label: '取消支付', className: 'cancel', name: 'cancel' })}
<p class="note">这是本地模拟的微信支付，不会产生真实扣款。</p>`,
    );
  });

  router.post('/cashier/h5/pay', async (ctx) => {
    const form = await readForm(ctx);
    const order = ledger.h5Order(form.get('prepay_id') ?? '', form.get('package') ?? '');
    if (order === 'expired') return message(ctx, 410, '链接已失效', '支付链接的有效期为5分钟，请返回商户页面重新发起支付。');
    if (!order || order.tradeType !== 'MWEB') return message(ctx, 404, '订单不存在', '请返回商户页面重新发起支付。');
    const outcome = ledger.pay(order, order.openid ?? ledger.newOpenid());
    if (outcome !== 'ok') return message(ctx, 409, PAY_REFUSED[outcome], '请返回商户页面查看订单。');
    leave(ctx, form.get('redirect_url') ?? '', '支付成功', `已向商户支付 ￥${fenToYuan(order.total)}`);
  });

  router.post('/cashier/h5/cancel', async (ctx) => {
    const form = await readForm(ctx);
    leave(ctx, form.get('redirect_url') ?? '', '已取消支付', '订单未支付，可返回商户页面重新发起。');
  });

  router.post('/_requestPayment', async (ctx) => {
    const body = (await readJson(ctx)) as Record<string, unknown> | undefined;
    const text = (name: string) => (typeof body?.[name] === 'string' ? (body[name] as string) : undefined);
    const [appId, timeStamp, nonceStr, pkg, signType, paySign] = ['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'].map(text);
    if (!appId || !timeStamp || !nonceStr || !pkg || !signType || !paySign) {
      return json(ctx, 400, {
        error: 'expected the wx.requestPayment parameters: appId, timeStamp, nonceStr, package, signType, paySign (and optionally openid, action: pay|cancel)',
      });
    }
    const fail = (reason: string) => json(ctx, 200, { errMsg: `requestPayment:fail ${reason}` });
    if (appId !== ledger.appId) return fail('appId与商户号未绑定');
    if (signType !== 'RSA') return fail('signType须为RSA');
    if (!verifyRsa(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, paySign, ledger.merchantPublicKey)) return fail('支付验证签名失败');
    const order = pkg.startsWith('prepay_id=') ? ledger.findByPrepayId(pkg.slice('prepay_id='.length)) : undefined;
    if (!order || order.tradeType !== 'JSAPI') return fail('prepay_id不存在或已过期');
    const openid = text('openid');
    if (openid && openid !== order.openid) return fail('当前用户不是下单用户');
    if (body?.action === 'cancel') return fail('cancel');
    const outcome = ledger.pay(order, order.openid!);
    if (outcome !== 'ok') return fail(PAY_REFUSED[outcome]);
    json(ctx, 200, { errMsg: 'requestPayment:ok' });
  });
}
