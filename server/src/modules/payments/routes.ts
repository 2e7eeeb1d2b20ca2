import Router from '@koa/router';
import {
  alipayNotify,
  closePayment,
  createPayment,
  getPayment,
  getPaymentReceipt,
  listPaymentReviews,
  listPayments,
  refundPayment,
  wechatPayNotify,
} from '../../../../shared/contracts/payments';
import type { AppDeps } from '../../app';
import { AppError } from '../../errors';
import { mount } from '../../http/validate';
import { paymentReceipt } from './receipts';

export function paymentRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { payments } = deps;

  mount(router, createPayment, async ({ body, principal }, ctx) => {
    const key = ctx.get('Idempotency-Key');
    if (!/^[\w-]{8,64}$/.test(key)) throw new AppError('IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header (8–64 letters, digits, - or _)');
    const { order, created } = await payments.createOrder(principal!.id, key, body, { clientIp: ctx.ip });
    ctx.status = created ? 201 : 200;
    return { order };
  });
  mount(router, getPayment, async ({ params, principal }) => ({ order: await payments.getOrder(principal!.id, params.orderId) }));
  mount(router, closePayment, async ({ params, principal }) => ({ order: await payments.closeOrder(principal!.id, params.orderId) }));
  mount(router, listPayments, async ({ principal }) => ({ payments: await payments.listOrders(principal!.id) }));
  mount(router, getPaymentReceipt, async ({ params, principal }) => ({
    receipt: await paymentReceipt(deps.database.db, deps.clock.now(), principal!.id, params.orderId),
  }));

  // Notifications are verified over ctx.request.rawBody, the bytes as received (the parsed body is ignored).
  mount(router, wechatPayNotify, async (_input, ctx) => {
    const verdict = await payments.handleNotification('wechatpay', ctx.headers, ctx.request.rawBody);
    if (verdict === 'handled') ctx.status = 204;
    else {
      ctx.status = 401;
      ctx.body = { code: 'FAIL', message: 'notification refused' };
    }
  });
  mount(router, alipayNotify, async (_input, ctx) => {
    const verdict = await payments.handleNotification('alipay', ctx.headers, ctx.request.rawBody);
    ctx.type = 'text/plain';
    // Alipay stops retrying only on exactly `success`.
    ctx.status = verdict === 'handled' ? 200 : 400;
    ctx.body = verdict === 'handled' ? 'success' : 'failure';
  });

  mount(router, listPaymentReviews, async () => payments.listReviews());
  mount(router, refundPayment, async ({ params, body, principal }) => ({ refund: await payments.refund(principal!.id, params.orderId, body.reason) }));
  return router;
}
