import { z } from 'zod';
import { REQUEST_TYPES } from '../requests/catalog';
import { RequestSubmission } from '../requests/forms';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

const Instant = z.iso.datetime({ offset: true });
const OrderParams = z.object({ orderId: z.coerce.number().int().positive() });
const STAFF_ORDERS = ['back_office', 'grid_manager', 'admin'];

export const OrderStateKind = z.enum(['stage', 'awaiting_documents', 'completed', 'cancelled', 'closed']);

export const WorkOrderSummary = z
  .object({
    id: z.number().int(),
    ticketNo: z.string().meta({ description: 'The number customers quote: GD + Shanghai filing date + a per-day sequence, e.g. GD20261206000123' }),
    type: z.enum(REQUEST_TYPES),
    typeName: z.string(),
    state: OrderStateKind,
    stage: z.string().nullable(),
    stageName: z.string().nullable(),
    stageDeadline: Instant.nullable(),
    overdue: z.boolean(),
    createdAt: Instant,
    rating: z.number().int().nullable(),
  })
  .meta({ id: 'WorkOrderSummary' });
export type WorkOrderSummary = z.infer<typeof WorkOrderSummary>;

export const WorkOrderDetail = WorkOrderSummary.extend({
  form: z.record(z.string(), z.unknown()),
  events: z.array(
    z.object({ action: z.string(), state: OrderStateKind, stage: z.string().nullable(), actor: z.string(), note: z.string().nullable(), at: Instant }),
  ),
  upcoming: z.array(z.object({ stage: z.string(), name: z.string(), expectedBy: Instant })),
  documents: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      filename: z.string(),
      mimeType: z.string(),
      sizeBytes: z.number().int(),
      status: z
        .enum(['received', 'accepted', 'need_replacing'])
        .meta({ description: 'received; accepted once its review stage passed; need_replacing when staff asked for documents after it' }),
    }),
  ),
  canCancel: z.boolean(),
}).meta({ id: 'WorkOrderDetail' });
export type WorkOrderDetail = z.infer<typeof WorkOrderDetail>;

export const listRequestTypes = defineEndpoint({
  ...routes.listRequestTypes,
  summary: 'The service hub: every request type with its stages, time limits and required documents',
  tag: 'service-requests',
  auth: 'none',
  response: z.object({
    types: z.array(
      z.object({
        type: z.enum(REQUEST_TYPES),
        name: z.string(),
        category: z.string(),
        audience: z.string(),
        stages: z.array(z.object({ key: z.string(), name: z.string(), limit: z.union([z.object({ workdays: z.number() }), z.object({ hours: z.number() })]) })),
        documents: z.array(z.object({ kind: z.string(), name: z.string() })),
      }),
    ),
  }),
});

export const submitRequest = defineEndpoint({
  ...routes.submitRequest,
  summary: 'File a service request; send an Idempotency-Key header so a retry or a double tap makes one work order',
  tag: 'service-requests',
  auth: 'customer',
  body: RequestSubmission,
  response: z.object({ order: WorkOrderSummary }),
  statuses: { 201: 'created', 200: 'the same request was already filed under this key', 422: 'the key was used for a different request' },
});

export const listMyRequests = defineEndpoint({
  ...routes.listMyRequests,
  summary: "The caller's requests, newest first",
  tag: 'service-requests',
  auth: 'customer',
  response: z.object({ orders: z.array(WorkOrderSummary) }),
});

export const getMyRequest = defineEndpoint({
  ...routes.getMyRequest,
  summary: 'One request with its timeline: what happened, and the expected date of each remaining stage',
  tag: 'service-requests',
  auth: 'customer',
  params: OrderParams,
  response: z.object({ order: WorkOrderDetail }),
  statuses: { 404: 'no such request of the caller' },
});

export const cancelMyRequest = defineEndpoint({
  ...routes.cancelMyRequest,
  summary: 'Cancel a request while it is still being accepted',
  tag: 'service-requests',
  auth: 'customer',
  params: OrderParams,
  body: z.object({ reason: z.string().trim().max(200).optional() }),
  response: z.object({ order: WorkOrderSummary }),
  statuses: { 404: 'no such request of the caller', 409: 'work has started' },
});

export const rateMyRequest = defineEndpoint({
  ...routes.rateMyRequest,
  summary: 'Rate a completed request, once',
  tag: 'service-requests',
  auth: 'customer',
  params: OrderParams,
  body: z.object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(300).optional() }),
  response: z.object({ ok: z.literal(true) }),
  statuses: { 409: 'not completed, or already rated' },
});

export const StaffOrderAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('advance'), note: z.string().max(300).optional() }),
  z.object({ action: z.literal('request_documents'), note: z.string().trim().min(2).max(300) }),
  z.object({ action: z.literal('complete'), note: z.string().max(300).optional() }),
  z.object({ action: z.literal('close'), note: z.string().trim().min(2).max(300) }),
  z.object({ action: z.literal('cancel'), note: z.string().trim().min(2).max(300) }),
]);

export const listStaffOrders = defineEndpoint({
  ...routes.listStaffOrders,
  summary: 'Open work orders, oldest deadline first; `overdue=true` for those past their stage limit',
  tag: 'staff-workorders',
  auth: 'staff',
  roles: STAFF_ORDERS,
  query: z.object({ overdue: z.enum(['true', 'false']).optional(), grid: z.string().optional() }),
  response: z.object({ orders: z.array(WorkOrderSummary.extend({ grid: z.string().nullable(), assigneeStaffId: z.number().int().nullable() })) }),
});

export const actOnOrder = defineEndpoint({
  ...routes.actOnOrder,
  summary: 'Advance, ask for documents, complete, close or cancel a work order',
  tag: 'staff-workorders',
  auth: 'staff',
  roles: STAFF_ORDERS,
  params: OrderParams,
  body: StaffOrderAction,
  response: z.object({ order: WorkOrderSummary }),
  statuses: { 404: 'no such order', 409: 'not allowed from its current state' },
});

export const reassignOrder = defineEndpoint({
  ...routes.reassignOrder,
  summary: 'Give a work order to another staff member',
  tag: 'staff-workorders',
  auth: 'staff',
  roles: ['back_office', 'admin'],
  params: OrderParams,
  body: z.object({ staffId: z.number().int().positive() }),
  response: z.object({ ok: z.literal(true) }),
});

export const backofficeCallback = defineEndpoint({
  ...routes.backofficeCallback,
  summary:
    'The back office moves an order: signed like our webhooks (X-Timestamp, X-Signature = base64 HMAC-SHA256 over "timestamp." + raw body), within 5 minutes, idempotent on X-Event-Id',
  tag: 'staff-workorders',
  auth: 'signature',
  body: z.object({
    orderId: z.number().int().positive(),
    action: z.enum(['advance', 'request_documents', 'complete', 'close']),
    note: z.string().max(300).optional(),
  }),
  response: z.object({ order: WorkOrderSummary, replayed: z.boolean() }),
  statuses: { 401: 'bad signature or stale timestamp', 409: 'not allowed from its current state' },
});

export const StoredDocument = z
  .object({ id: z.number().int(), kind: z.string(), filename: z.string(), mimeType: z.string(), sizeBytes: z.number().int() })
  .meta({ id: 'Document' });
const DocumentParams = OrderParams.extend({ documentId: z.coerce.number().int().positive() });
const FileBytes = z.string().meta({ description: 'the file', format: 'binary' });

export const uploadDocument = defineEndpoint({
  ...routes.uploadDocument,
  summary:
    'Upload a document as multipart/form-data: a `kind` field (e.g. business_licence) and one `file` (JPEG, PNG or PDF, checked by content, at most 5 MB); attach it to a request by id',
  tag: 'service-requests',
  auth: 'customer',
  response: z.object({ document: StoredDocument }),
  statuses: { 201: 'stored', 413: 'too large', 415: 'not a JPEG, PNG or PDF, whatever its name' },
});

export const supplyDocuments = defineEndpoint({
  ...routes.supplyDocuments,
  summary: 'Attach the documents staff asked for; the stage resumes',
  tag: 'service-requests',
  auth: 'customer',
  params: OrderParams,
  body: z.object({ documents: z.array(z.number().int().positive()).min(1).max(10) }),
  response: z.object({ order: WorkOrderSummary }),
  statuses: { 404: 'no such request of the caller', 409: 'no documents were requested', 400: 'a document that is not yours or already attached' },
});

export const getMyDocument = defineEndpoint({
  ...routes.getMyDocument,
  summary: "A document attached to one of the caller's requests",
  tag: 'service-requests',
  auth: 'customer',
  params: DocumentParams,
  response: FileBytes,
  statuses: { 404: "not a document of the caller's request" },
});

export const getOrderDocument = defineEndpoint({
  ...routes.getOrderDocument,
  summary: 'A document attached to a work order',
  tag: 'staff-workorders',
  auth: 'staff',
  roles: STAFF_ORDERS,
  params: DocumentParams,
  response: FileBytes,
});
