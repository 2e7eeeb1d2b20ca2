import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkOrders } from '../../server/src/modules/workorders/service';
import { AppError } from '../../server/src/errors';
import { signBackofficeBody } from '../../server/src/integrations/backoffice/client';
import { eventually, manualClock, request, startTestApp, TEST_BACKOFFICE_SECRET, type TestApp } from '../support/harness';
import { bindDemoAccount, smsLogin, staffSession, type LoggedIn } from '../support/identity';

// The work-order service driven as its routes will drive it, on the real database and mock peers.
let app: TestApp;
let resident: LoggedIn;
let residentAccount: number;
const sql = (text: string, values: unknown[] = []) => app.runtime.deps.database.pool.query(text, values);
const staffId = async (username: string) => (await sql('SELECT id FROM staff_users WHERE username = $1', [username])).rows[0].id as number;
const repair = (accountId: number, description = '家里整屋没电，邻居家有电') => ({
  type: 'fault_repair',
  form: { accountId, symptom: 'no_power', scope: 'my_home', description, contactPhone: '13800000001' },
});

beforeAll(async () => {
  app = await startTestApp();
  resident = await smsLogin(app);
  residentAccount = await bindDemoAccount(app, resident, '3301000001');
});
afterAll(() => app?.stop());

const customerId = async (customer: LoggedIn) => (await sql('SELECT id FROM customers WHERE phone = $1', [customer.phone])).rows[0].id as number;

describe('work orders', () => {
  it('makes one order per Idempotency-Key, dispatched to the grid of the account, and refuses the key for another request', async () => {
    const { workOrders } = app.runtime.deps;
    const me = await customerId(resident);
    const [first, second] = await Promise.all([
      workOrders.submit(me, 'tap-1', repair(residentAccount)),
      workOrders.submit(me, 'tap-1', repair(residentAccount)),
    ]);
    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(first.order.id).toBe(second.order.id);
    expect(first.order).toMatchObject({ gridCode: 'GRID-XH', assigneeStaffId: await staffId('grid-xh'), state: 'stage', stage: 'accepted' });
    await expect(workOrders.submit(me, 'tap-1', repair(residentAccount, '只有厨房没电，其他房间正常'))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    // A repair is also a fault report from its transformer area, for the outage signal.
    const { rows } = await sql(`SELECT transformer_area FROM fault_reports WHERE source = $1`, [`workorder:${first.order.id}`]);
    expect(rows).toEqual([{ transformer_area: 'TA-XH-001' }]);
    // Someone else's account cannot be named in a request.
    const stranger = await smsLogin(app);
    await expect(workOrders.submit(await customerId(stranger), 'x', repair(residentAccount))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('moves only along its stage machine, waits for documents, records every step, and tells the back office and the customer', async () => {
    const { workOrders } = app.runtime.deps;
    const me = await customerId(resident);
    await app.request('PUT', '/api/notifications/sms', { headers: resident.auth, body: { topic: 'workorder', enabled: true } });
    const { order } = await workOrders.submit(me, 'conn-1', {
      type: 'lv_residential_connection',
      form: {
        applicantName: '张伟',
        idNumber: '11010519491231002X',
        address: '杭州市西湖区文三路 90 号 3 幢',
        requestedKw: 8,
        contactName: '张伟',
        contactPhone: resident.phone,
      },
    });
    const staff = { kind: 'staff' as const, id: await staffId('grid-xh') };
    const waiting = await workOrders.act(order.id, staff, { action: 'request_documents' }, '请补充房产证明');
    expect(waiting.state).toBe('awaiting_documents');
    await expect(workOrders.act(order.id, staff, { action: 'advance' })).rejects.toMatchObject({ code: 'TRANSITION_REFUSED' });
    await workOrders.act(order.id, { kind: 'customer', id: me }, { action: 'documents_supplied' }, undefined, me);
    const installing = await workOrders.act(order.id, staff, { action: 'advance' });
    expect(installing).toMatchObject({ state: 'stage', stage: 'install_connect' });
    await expect(workOrders.act(order.id, { kind: 'customer', id: me }, { action: 'cancel', by: 'customer' }, undefined, me)).rejects.toMatchObject({
      code: 'TRANSITION_REFUSED',
    });
    await expect(workOrders.rate(order.id, me, 5)).rejects.toBeInstanceOf(AppError);
    expect((await workOrders.act(order.id, staff, { action: 'complete' }, '已装表送电')).state).toBe('completed');
    await workOrders.rate(order.id, me, 5, '很快');
    await expect(workOrders.rate(order.id, me, 1)).rejects.toMatchObject({ code: 'TRANSITION_REFUSED' });

    const timeline = await workOrders.timeline(order.id, me);
    expect(timeline.events.map((event: any) => event.action)).toEqual(['submitted', 'request_documents', 'documents_supplied', 'advance', 'complete']);
    await expect(workOrders.timeline(order.id, me + 999)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const delivered = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', '/backoffice/events');
      const mine = body.events.filter((event: any) => event.data.orderId === order.id);
      return mine.length === 5 ? mine : undefined;
    });
    expect(delivered.map((event: any) => event.type)).toEqual([
      'workorder.created',
      'workorder.changed',
      'workorder.changed',
      'workorder.changed',
      'workorder.changed',
    ]);
    // Staff's three moves reach the customer; the customer's own does not.
    const texts = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', `/sms/messages?phone=${resident.phone}`);
      const progress = body.messages.filter((message: any) => message.template === 'workorder_progress');
      return progress.length === 3 ? progress : undefined;
    });
    expect(texts.map((message: any) => message.params.stage)).toEqual(['受理', '装表接电', '已办结']);
  });

  it('takes a fault at a typed address with photos, and says which field is missing when neither address is given', async () => {
    const form = { symptom: 'sparks_or_smell', scope: 'my_building', description: '楼道电表箱冒烟', contactPhone: '13800000001' };
    const file = (body: object, key: string) => app.request('POST', '/api/service-requests', { headers: { ...resident.auth, 'Idempotency-Key': key }, body });
    const neither = await file({ type: 'fault_repair', form }, 'fault-addr-0');
    expect(neither.status).toBe(400);
    expect(neither.body.error.details.issues).toEqual([{ path: 'body.form.address', message: '请选择户号地址或填写故障地址' }]);
    const photo = new FormData();
    photo.set('kind', 'fault_photo');
    photo.set('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...Array(200).fill(1)])]), 'box.jpg');
    const uploaded = await (await fetch(`${app.url}/api/service-requests/documents`, { method: 'POST', headers: resident.auth, body: photo })).json();
    const typed = await file(
      { type: 'fault_repair', form: { ...form, address: '滨江区长河街道春波小区 3 幢' }, documents: [uploaded.document.id] },
      'fault-addr-1',
    );
    expect(typed.status).toBe(201);
    const detail = await app.request('GET', `/api/service-requests/${typed.body.order.id}`, { headers: resident.auth });
    expect(detail.body.order.form.address).toBe('滨江区长河街道春波小区 3 幢');
    expect(detail.body.order.documents).toMatchObject([{ kind: 'fault_photo', filename: 'box.jpg', mimeType: 'image/jpeg', status: 'received' }]);
  });

  it('warns at 80 % of a stage and marks it overdue after, once each, on working days', async () => {
    // Friday 27 November 2026, 10:00 in Shanghai: acceptance (1 working day) is due Monday's end.
    const clock = manualClock(new Date('2026-11-27T02:00:00Z'));
    // Only this order is under the clock here: the earlier tests' open orders are closed first.
    await sql(`UPDATE work_orders SET state = 'closed', stage = NULL WHERE state IN ('stage', 'awaiting_documents')`);
    const { deps } = app.runtime;
    const workOrders = createWorkOrders({ ...deps, clock, calendar: deps.calendar, log: deps.logger });
    const me = await customerId(resident);
    const { order } = await workOrders.submit(me, 'late-1', { type: 'suggestion', form: { subject: '营业厅', description: '希望周末延长营业时间到晚上八点' } });
    expect(order.stageDeadline!.toISOString()).toBe('2026-11-30T15:59:59.999Z');

    clock.advance(2 * 86_400_000); // Sunday: no working time has passed.
    expect(await workOrders.sweepDeadlines()).toEqual({ warned: 0, overdue: 0 });
    clock.advance(86_400_000 + 8 * 3_600_000); // Monday 18:00: 75 % of Monday.
    expect(await workOrders.sweepDeadlines()).toEqual({ warned: 0, overdue: 0 });
    clock.advance(2 * 3_600_000); // Monday 20:00: past 80 %.
    expect(await workOrders.sweepDeadlines()).toEqual({ warned: 1, overdue: 0 });
    expect(await workOrders.sweepDeadlines()).toEqual({ warned: 0, overdue: 0 });
    clock.advance(5 * 3_600_000); // Tuesday 01:00: late.
    expect(await workOrders.sweepDeadlines()).toEqual({ warned: 0, overdue: 1 });
    expect(await workOrders.sweepDeadlines()).toEqual({ warned: 0, overdue: 0 });
    const { rows } = await sql(`SELECT action FROM work_order_events WHERE work_order_id = $1 ORDER BY id`, [order.id]);
    expect(rows.map((row) => row.action)).toEqual(['submitted', 'deadline_warning', 'overdue']);
  });
});

describe('work orders over HTTP', () => {
  const suggestion = { type: 'suggestion', form: { subject: '营业厅', description: '希望周末延长营业时间到晚上八点' } };

  it('files a request once per Idempotency-Key and shows the customer its timeline', async () => {
    const types = await app.request('GET', '/api/service-requests/types');
    expect(types.body.types).toHaveLength(12);
    const missingKey = await app.request('POST', '/api/service-requests', { headers: resident.auth, body: suggestion });
    expect(missingKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const invalid = await app.request('POST', '/api/service-requests', {
      headers: { ...resident.auth, 'Idempotency-Key': 'form-check-1' },
      body: { type: 'suggestion', form: { subject: 'x' } },
    });
    expect(invalid.status).toBe(400);
    const headers = { ...resident.auth, 'Idempotency-Key': 'http-suggestion-1' };
    const first = await app.request('POST', '/api/service-requests', { headers, body: suggestion });
    const again = await app.request('POST', '/api/service-requests', { headers, body: suggestion });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.order.id).toBe(first.body.order.id);

    const detail = await app.request('GET', `/api/service-requests/${first.body.order.id}`, { headers: resident.auth });
    expect(detail.body.order).toMatchObject({ typeName: '意见建议', stage: 'accepted', canCancel: true, upcoming: [{ stage: 'reply', name: '答复' }] });
    const stranger = await smsLogin(app);
    expect((await app.request('GET', `/api/service-requests/${first.body.order.id}`, { headers: stranger.auth })).status).toBe(404);
    const cancelled = await app.request('POST', `/api/service-requests/${first.body.order.id}/cancel`, { headers: resident.auth, body: {} });
    expect(cancelled.body.order.state).toBe('cancelled');
  });

  it('takes signed, fresh, idempotent callbacks from the back office and refuses forged or stale ones', async () => {
    const filed = await app.request('POST', '/api/service-requests', {
      headers: { ...resident.auth, 'Idempotency-Key': 'http-suggestion-2' },
      body: suggestion,
    });
    const orderId = filed.body.order.id;
    const callback = (eventId: string, body: object, options: { timestamp?: number; tamper?: boolean } = {}) => {
      const raw = JSON.stringify(body);
      const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
      const signature = signBackofficeBody(TEST_BACKOFFICE_SECRET, timestamp, raw);
      return app.request('POST', '/api/staff/workorders/callbacks', {
        headers: { 'Content-Type': 'application/json', 'X-Event-Id': eventId, 'X-Timestamp': timestamp, 'X-Signature': signature },
        body: options.tamper ? raw.replace('advance', 'complete') : raw,
      });
    };
    const applied = await callback('bo-evt-1', { orderId, action: 'advance', note: '已受理' });
    expect(applied.body).toMatchObject({ replayed: false, order: { stage: 'reply' } });
    const replayed = await callback('bo-evt-1', { orderId, action: 'advance', note: '已受理' });
    expect(replayed.body).toMatchObject({ replayed: true, order: { stage: 'reply' } });
    expect((await callback('bo-evt-1', { orderId, action: 'close' })).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await callback('bo-evt-2', { orderId, action: 'advance' }, { tamper: true })).body.error.code).toBe('SIGNATURE_INVALID');
    expect((await callback('bo-evt-3', { orderId, action: 'advance' }, { timestamp: Math.floor(Date.now() / 1000) - 600 })).body.error.code).toBe(
      'TIMESTAMP_STALE',
    );
    const unsigned = await app.request('POST', '/api/staff/workorders/callbacks', {
      headers: { 'X-Event-Id': 'bo-evt-4' },
      body: { orderId, action: 'advance' },
    });
    expect(unsigned.status).toBe(401);
    const concurrent = await Promise.all([1, 2, 3].map(() => callback('bo-evt-5', { orderId, action: 'complete' })));
    expect(concurrent.map((response) => response.body.replayed).sort()).toEqual([false, true, true]);
    const { rows } = await sql(`SELECT action FROM work_order_events WHERE work_order_id = $1 ORDER BY id`, [orderId]);
    expect(rows.map((row) => row.action)).toEqual(['submitted', 'advance', 'complete']);

    // The mock back office, playing a clerk, signs its callbacks the same way.
    const another = await app.request('POST', '/api/service-requests', {
      headers: { ...resident.auth, 'Idempotency-Key': 'http-suggestion-3' },
      body: suggestion,
    });
    const byMock = await request(app.mocks.url, 'POST', '/backoffice/_advance', {
      body: { callbackUrl: `${app.url}/api/staff/workorders/callbacks`, orderId: another.body.order.id, action: 'advance', note: '后台已受理' },
    });
    expect(byMock.body).toMatchObject({ status: 200, reply: { replayed: false, order: { stage: 'reply' } } });
    const seen = await app.request('GET', `/api/service-requests/${another.body.order.id}`, { headers: resident.auth });
    expect(seen.body.order.events.at(-1)).toMatchObject({ action: 'advance', actor: 'backoffice', note: '后台已受理' });
  });

  it('refuses a request or a rating with text the database cannot store, writing nothing', async () => {
    const count = async () => Number((await sql('SELECT (SELECT count(*) FROM work_orders) + (SELECT count(*) FROM work_order_events) AS n')).rows[0].n);
    const before = await count();
    // jsonb refuses a lone surrogate and text refuses NUL: both answered 500 before.
    for (const description of ['家里整屋没电\udfff', '家里整屋没电\u0000']) {
      const res = await app.request('POST', '/api/service-requests', {
        headers: { ...resident.auth, 'Idempotency-Key': `nul-${description.length}-${description.at(-1)!.charCodeAt(0)}` },
        body: repair(residentAccount, description),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe('body.form.description');
    }
    const rating = await app.request('POST', '/api/service-requests/1/rating', { headers: resident.auth, body: { rating: 5, comment: '好\u0000' } });
    expect(rating.status).toBe(400);
    expect(rating.body.error.code).toBe('VALIDATION_FAILED');
    expect(await count()).toBe(before);
  });

  it('lets staff list, move and reassign orders', async () => {
    const staff = await staffSession(app, 'backoffice');
    const filed = await app.request('POST', '/api/service-requests', {
      headers: { ...resident.auth, 'Idempotency-Key': 'http-repair-1' },
      body: repair(residentAccount, '楼道灯和家里都没电'),
    });
    const orderId = filed.body.order.id;
    const listed = await app.request('GET', '/api/staff/workorders', { headers: staff });
    expect(listed.body.orders.find((order: any) => order.id === orderId)).toMatchObject({ grid: 'GRID-XH', stage: 'accepted' });
    const moved = await app.request('POST', `/api/staff/workorders/${orderId}/actions`, { headers: staff, body: { action: 'advance' } });
    expect(moved.body.order.stage).toBe('dispatched');
    expect((await app.request('POST', `/api/staff/workorders/${orderId}/actions`, { headers: staff, body: { action: 'close' } })).status).toBe(400);
    const refused = await app.request('POST', `/api/staff/workorders/${orderId}/actions`, { headers: staff, body: { action: 'complete' } });
    expect(refused.body.error.code).toBe('TRANSITION_REFUSED');
    const reassigned = await app.request('POST', `/api/staff/workorders/${orderId}/assignee`, {
      headers: staff,
      body: { staffId: await staffId('backoffice') },
    });
    expect(reassigned.body).toEqual({ ok: true });
    // No such colleague (the foreign key answered 500 before): refused, and the order and its timeline stay as they were.
    const events = async () => (await sql('SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id = $1', [orderId])).rows[0].n as number;
    const eventsBefore = await events();
    const nobody = await app.request('POST', `/api/staff/workorders/${orderId}/assignee`, { headers: staff, body: { staffId: 987654 } });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.details.issues).toEqual([{ path: 'body.staffId', message: 'no active staff member with this id' }]);
    expect((await sql('SELECT assignee_staff_id FROM work_orders WHERE id = $1', [orderId])).rows[0].assignee_staff_id).toBe(await staffId('backoffice'));
    expect(await events()).toBe(eventsBefore);
    expect((await app.request('GET', '/api/staff/workorders', { headers: resident.auth })).status).toBe(403);
  });
});

describe('documents', () => {
  const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
  const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300, 32)]);
  const upload = async (customer: LoggedIn, bytes: Buffer, filename: string, kind = 'business_licence') => {
    const form = new FormData();
    form.set('kind', kind);
    form.set('file', new Blob([new Uint8Array(bytes)]), filename);
    const response = await fetch(`${app.url}/api/service-requests/documents`, { method: 'POST', headers: customer.auth, body: form });
    return { status: response.status, body: await response.json() };
  };

  it('accepts photos and PDFs by their content, refuses disguised and oversized files, and shows them only to their owner and staff', async () => {
    const png = await upload(resident, PNG, 'licence.png');
    expect(png).toMatchObject({ status: 201, body: { document: { mimeType: 'image/png', kind: 'business_licence', sizeBytes: PNG.length } } });
    const pdfNamedJpg = await upload(resident, PDF, 'plan.jpg', 'site_plan');
    expect(pdfNamedJpg.body.document.mimeType).toBe('application/pdf');
    const disguised = await upload(resident, Buffer.from('MZ this is a program, not a photo'), 'photo.jpg');
    expect(disguised).toMatchObject({ status: 415, body: { error: { code: 'DOCUMENT_TYPE_REFUSED' } } });
    const huge = await upload(resident, Buffer.concat([PDF, Buffer.alloc(5 * 1_048_576)]), 'big.pdf');
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'DOCUMENT_TOO_LARGE' } } });
    const noKind = await upload(resident, PNG, 'x.png', '');
    expect(noKind.body.error.code).toBe('DOCUMENT_INVALID');

    const stranger = await smsLogin(app);
    const theirs = await upload(stranger, PNG, 'theirs.png');
    const submit = (documents: number[], key: string) =>
      app.request('POST', '/api/service-requests', {
        headers: { ...resident.auth, 'Idempotency-Key': key },
        body: { type: 'suggestion', form: { subject: '附件', description: '请看附件中的现场照片和图纸' }, documents },
      });
    expect((await submit([png.body.document.id, theirs.body.document.id], 'docs-wrong-1')).body.error.code).toBe('DOCUMENT_INVALID');
    const filed = await submit([png.body.document.id, pdfNamedJpg.body.document.id], 'docs-ok-1');
    expect(filed.status).toBe(201);
    const orderId = filed.body.order.id;
    const path = `/api/service-requests/${orderId}/documents/${png.body.document.id}`;
    const mine = await fetch(`${app.url}${path}`, { headers: resident.auth });
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await mine.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(`${app.url}${path}`, { headers: stranger.auth })).status).toBe(404);
    const staff = await staffSession(app, 'backoffice');
    expect((await fetch(`${app.url}/api/staff/workorders/${orderId}/documents/${pdfNamedJpg.body.document.id}`, { headers: staff })).status).toBe(200);
    // Attached once: the same document cannot go on a second request.
    expect((await submit([png.body.document.id], 'docs-again-1')).body.error.code).toBe('DOCUMENT_INVALID');
  });

  it('lets the customer supply documents staff asked for, and the stage resumes', async () => {
    const filed = await app.request('POST', '/api/service-requests', {
      headers: { ...resident.auth, 'Idempotency-Key': 'docs-supply-1' },
      body: { type: 'complaint', form: { subject: '电费', description: '十月电费明显偏高，请核查抄表是否有误', contactPhone: resident.phone } },
    });
    const orderId = filed.body.order.id;
    const staff = await staffSession(app, 'backoffice');
    const early = await upload(resident, PNG, 'bill.png', 'bill_photo');
    expect(
      (await app.request('POST', `/api/service-requests/${orderId}/documents`, { headers: resident.auth, body: { documents: [early.body.document.id] } })).body
        .error.code,
    ).toBe('TRANSITION_REFUSED');
    await app.request('POST', `/api/staff/workorders/${orderId}/actions`, {
      headers: staff,
      body: { action: 'request_documents', note: '请上传电费账单照片' },
    });
    const supplied = await app.request('POST', `/api/service-requests/${orderId}/documents`, {
      headers: resident.auth,
      body: { documents: [early.body.document.id] },
    });
    expect(supplied.body.order).toMatchObject({ state: 'stage', stage: 'accepted' });
    expect((await app.request('POST', `/api/staff/workorders/${orderId}/actions`, { headers: staff, body: { action: 'advance' } })).body.order.stage).toBe(
      'investigate',
    );
  });
});
