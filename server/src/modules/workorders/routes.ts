import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  actOnOrder,
  backofficeCallback,
  cancelMyRequest,
  getMyDocument,
  getMyRequest,
  getOrderDocument,
  listMyRequests,
  listRequestTypes,
  listStaffOrders,
  rateMyRequest,
  reassignOrder,
  submitRequest,
  supplyDocuments,
  uploadDocument,
} from '../../../../shared/contracts/requests';
import { CATALOG, REQUEST_TYPES } from '../../../../shared/requests/catalog';
import type { AppDeps } from '../../app';
import { AppError } from '../../errors';
import { closeAfterReply, withBodyDeadline } from '../../http/body';
import { mount } from '../../http/validate';
import { checkBackofficeSignature } from '../../integrations/backoffice/client';
import { readUpload } from './documents';
import { presentOrder } from './service';

/** Refuses a back-office callback that is unsigned, forged or stale before its body is even parsed. */
function backofficeSignature(deps: AppDeps): Middleware {
  return async (ctx, next) => {
    const verdict = checkBackofficeSignature(
      deps.config.backoffice.secret,
      { timestamp: ctx.get('X-Timestamp'), signature: ctx.get('X-Signature') },
      ctx.request.rawBody,
      deps.clock.now().getTime(),
    );
    if (verdict === 'bad_signature') throw new AppError('SIGNATURE_INVALID', 'The signature does not match the body');
    if (verdict === 'stale') throw new AppError('TIMESTAMP_STALE', 'The timestamp is outside the 5-minute window');
    if (!/^[\w:.-]{1,100}$/.test(ctx.get('X-Event-Id'))) throw new AppError('VALIDATION_FAILED', 'X-Event-Id is required');
    await next();
  };
}

const TYPES = REQUEST_TYPES.map((type) => CATALOG[type]);

export function workOrderRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { workOrders, clock } = deps;
  // The fixed paths go before `/{orderId}`.
  mount(router, listRequestTypes, () => ({ types: TYPES }));
  mount(router, uploadDocument, async ({ principal }, ctx) => {
    let upload: Awaited<ReturnType<typeof readUpload>>;
    try {
      upload = await withBodyDeadline(ctx.req, deps.config.bodyTimeoutMs, () => readUpload(ctx.req, deps.config.uploads.maxBytes));
    } catch (err) {
      closeAfterReply(ctx);
      throw err;
    }
    ctx.status = 201;
    return { document: await deps.documents.store(principal!.id, upload) };
  });
  mount(router, submitRequest, async ({ body, principal }, ctx) => {
    const key = ctx.get('Idempotency-Key');
    if (!/^[\w-]{8,64}$/.test(key)) throw new AppError('IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header (8–64 letters, digits, - or _)');
    const { order, created } = await workOrders.submit(principal!.id, key, body);
    ctx.status = created ? 201 : 200;
    return { order: presentOrder(order, clock.now()) };
  });
  mount(router, listMyRequests, async ({ principal }) => ({ orders: await workOrders.listMine(principal!.id) }));
  mount(router, getMyRequest, async ({ params, principal }) => ({ order: await workOrders.detail(params.orderId, principal!.id) }));
  mount(router, cancelMyRequest, async ({ params, body, principal }) => ({
    order: presentOrder(
      await workOrders.act(params.orderId, { kind: 'customer', id: principal!.id }, { action: 'cancel', by: 'customer' }, body.reason, principal!.id),
      clock.now(),
    ),
  }));
  mount(router, supplyDocuments, async ({ params, body, principal }) => ({
    order: presentOrder(await workOrders.supplyDocuments(params.orderId, principal!.id, body.documents), clock.now()),
  }));
  const sendFile = (ctx: Parameters<Middleware>[0], file: { document: { mimeType: string; filename: string }; bytes: Buffer }) => {
    ctx.type = file.document.mimeType;
    ctx.set('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.document.filename)}`);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = file.bytes;
  };
  mount(router, getMyDocument, async ({ params, principal }, ctx) =>
    sendFile(ctx, await deps.documents.read(params.orderId, params.documentId, principal!.id)),
  );
  mount(router, getOrderDocument, async ({ params }, ctx) => sendFile(ctx, await deps.documents.read(params.orderId, params.documentId)));
  mount(router, rateMyRequest, async ({ params, body, principal }) => {
    await workOrders.rate(params.orderId, principal!.id, body.rating, body.comment);
    return { ok: true as const };
  });

  mount(router, backofficeCallback, backofficeSignature(deps), async ({ body }, ctx) => workOrders.applyCallback(ctx.get('X-Event-Id'), body));
  mount(router, listStaffOrders, async ({ query }) => ({ orders: await workOrders.listForStaff({ overdue: query.overdue === 'true', grid: query.grid }) }));
  mount(router, actOnOrder, async ({ params, body, principal }) => {
    const action = body.action === 'cancel' ? ({ action: 'cancel', by: 'staff' } as const) : { action: body.action };
    return { order: presentOrder(await workOrders.act(params.orderId, { kind: 'staff', id: principal!.id }, action, body.note), clock.now()) };
  });
  mount(router, reassignOrder, async ({ params, body, principal }) => {
    await workOrders.reassign(params.orderId, principal!.id, body.staffId);
    return { ok: true as const };
  });
  return router;
}
