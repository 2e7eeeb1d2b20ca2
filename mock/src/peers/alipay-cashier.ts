import type Router from '@koa/router';
import type { Context } from 'koa';
import { fenToYuan } from '../../../shared/money';
import { readRaw, selfBase } from '../http';
import { signOutgoing } from '../payments/alipay-sign';
import { actionForm, cashierPage, escapeHtml } from '../payments/html';
import { dateTime } from '../payments/shanghai';
import { AlipayError } from '../payments/alipay-error';
import type { Trade } from '../payments/alipay-trades';

export interface AlipayCashierLedger {
  appId: string;
  sellerId: string;
  platformPrivateKey: string;
  now(): Date;
  /** The trade a verified `alipay.trade.wap.pay` call names (made on first open); throws AlipayError. */
  open(params: Record<string, string>, biz: Record<string, unknown>): Trade;
  byToken(token: string): Trade | undefined;
  pay(trade: Trade): 'ok' | 'paid' | 'closed';
}

const BRAND = { title: '支付宝', brand: '支付宝', color: '#1677ff' };
const REFUSED = { paid: '交易已被支付', closed: '交易已经关闭' } as const;

function page(ctx: Context, body: string): void {
  ctx.status = 200;
  ctx.type = 'text/html';
  ctx.body = cashierPage({ ...BRAND, body });
}

function message(ctx: Context, title: string, detail: string): void {
  page(ctx, `<div class="card"><h2>${escapeHtml(title)}</h2><p class="muted">${escapeHtml(detail)}</p></div>`);
}

async function tokenOf(ctx: Context): Promise<string> {
  return new URLSearchParams((await readRaw(ctx)).toString('utf8')).get('token') ?? '';
}

/**
 * The buyer's side of `alipay.trade.wap.pay`: the gateway sends the browser to `/alipay/cashier`,
 * a page with pay and cancel forms. Paying settles the trade, notifies `notify_url` and redirects
 * to `return_url` with the signed synchronous parameters; cancelling goes to `quit_url`.
 */
export function mountAlipayCashier(router: Router, ledger: AlipayCashierLedger) {
  router.get('/cashier', (ctx) => {
    const trade = ledger.byToken(typeof ctx.query.token === 'string' ? ctx.query.token : '');
    if (!trade) return message(ctx, '交易不存在', '请返回商户页面重新发起支付。');
    if (trade.status !== 'WAIT_BUYER_PAY') return message(ctx, trade.status === 'TRADE_CLOSED' ? REFUSED.closed : REFUSED.paid, '请返回商户页面查看订单。');
    page(
      ctx,
      `<div class="card">
  <div class="muted">${escapeHtml(trade.subject)}</div>
  <div class="amount">￥${fenToYuan(trade.total)}</div>
  <div class="muted">收款方 ${escapeHtml(ledger.sellerId)} · 订单号 ${escapeHtml(trade.outTradeNo)}</div>
</div>
${actionForm('/alipay/cashier/pay', { token: trade.token }, { label: '确认付款', className: 'pay', name: 'pay' })}
${actionForm('/alipay/cashier/cancel', { token: trade.token }, { label: '取消付款', className: 'cancel', name: 'cancel' })}
<p class="note">这是本地模拟的支付宝收银台，不会产生真实扣款。</p>`,
    );
  });

  router.post('/cashier/pay', async (ctx) => {
    const trade = ledger.byToken(await tokenOf(ctx));
    if (!trade) return message(ctx, '交易不存在', '请返回商户页面重新发起支付。');
    const outcome = ledger.pay(trade);
    if (outcome !== 'ok') return message(ctx, REFUSED[outcome], '请返回商户页面查看订单。');
    if (!trade.returnUrl || !URL.canParse(trade.returnUrl)) return message(ctx, '支付成功', `已付款 ￥${fenToYuan(trade.total)}`);
    const back = new URL(trade.returnUrl);
    const returned = signOutgoing(
      {
        app_id: ledger.appId,
        auth_app_id: ledger.appId,
        charset: 'utf-8',
        method: 'alipay.trade.wap.pay.return',
        out_trade_no: trade.outTradeNo,
        seller_id: ledger.sellerId,
        timestamp: dateTime(ledger.now()),
        total_amount: fenToYuan(trade.total),
        trade_no: trade.tradeNo,
        version: '1.0',
      },
      ledger.platformPrivateKey,
    );
    for (const [key, value] of Object.entries(returned)) back.searchParams.set(key, value);
    ctx.redirect(back.toString());
  });

  router.post('/cashier/cancel', async (ctx) => {
    const trade = ledger.byToken(await tokenOf(ctx));
    if (trade?.quitUrl && URL.canParse(trade.quitUrl)) return ctx.redirect(trade.quitUrl);
    message(ctx, '已取消付款', '订单未支付，可返回商户页面重新发起。');
  });

  return {
    /** A verified wap.pay call: on to the cashier, or an error page as Alipay shows one. */
    open(ctx: Context, params: Record<string, string>, biz: Record<string, unknown>): void {
      let trade: Trade;
      try {
        trade = ledger.open(params, biz);
      } catch (err) {
        if (!(err instanceof AlipayError)) throw err;
        return this.errorPage(ctx, err);
      }
      ctx.redirect(`${selfBase(ctx)}/alipay/cashier?token=${trade.token}`);
    },
    errorPage(ctx: Context, err: AlipayError): void {
      page(
        ctx,
        `<div class="card"><h2>支付遇到问题</h2><p>错误代码 <code>${escapeHtml(err.subCode)}</code></p><p class="muted">${escapeHtml(err.subMsg)}</p></div>`,
      );
    },
  };
}
