import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkOrders } from '../../server/src/modules/workorders/service';
import { eventually, manualClock, request, startTestApp, type TestApp } from '../support/harness';
import { bindDemoAccount, smsLogin, type LoggedIn } from '../support/identity';

// Ticket numbers and document review status, with the work-order service under a faked clock.
let app: TestApp;
let resident: LoggedIn;
let me: number;
let account: number;
const sql = (text: string, values: unknown[] = []) => app.runtime.deps.database.pool.query(text, values);
const suggestion = (n: number) => ({ type: 'suggestion', form: { subject: '营业厅', description: `希望周末延长营业时间，第 ${n} 条` } });
const servicesAt = (iso: string) => {
  const clock = manualClock(new Date(iso));
  const { deps } = app.runtime;
  return { clock, workOrders: createWorkOrders({ ...deps, clock, calendar: deps.calendar, log: deps.logger }) };
};

beforeAll(async () => {
  app = await startTestApp();
  resident = await smsLogin(app);
  account = await bindDemoAccount(app, resident, '3301000001');
  me = (await sql('SELECT id FROM customers WHERE phone = $1', [resident.phone])).rows[0].id;
});
afterAll(() => app?.stop());

describe('ticket numbers', () => {
  it('are GD + the Shanghai business date + a per-day sequence, restarting when the Shanghai day turns', async () => {
    // 23:58 on 14 March 2031 in Shanghai is still the 14th there, though already past 15:00 UTC.
    const { clock, workOrders } = servicesAt('2031-03-14T15:58:00Z');
    const first = await workOrders.submit(me, 'tk-day-1', suggestion(1));
    const second = await workOrders.submit(me, 'tk-day-2', suggestion(2));
    // A repeat of the first key takes no number: the next new order follows without a gap.
    expect((await workOrders.submit(me, 'tk-day-1', suggestion(1))).created).toBe(false);
    const third = await workOrders.submit(me, 'tk-day-3', suggestion(3));
    clock.advance(3 * 60_000); // 00:01 on the 15th in Shanghai
    const nextDay = await workOrders.submit(me, 'tk-day-4', suggestion(4));
    expect([first, second, third, nextDay].map(({ order }) => order.ticketNo)).toEqual([
      'GD20310314000001',
      'GD20310314000002',
      'GD20310314000003',
      'GD20310315000001',
    ]);
  });

  it('stay unique and gapless under 20 concurrent submissions, with repeats of one key among them', async () => {
    const { workOrders } = servicesAt('2031-04-01T02:00:00Z');
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, n) => workOrders.submit(me, `tk-burst-${n}`, suggestion(n))),
      ...Array.from({ length: 5 }, () => workOrders.submit(me, 'tk-burst-0', suggestion(0))),
    ]);
    const created = results.filter((result) => result.created).map(({ order }) => order.ticketNo);
    expect(created).toHaveLength(20);
    expect([...created].sort()).toEqual(Array.from({ length: 20 }, (_, n) => `GD20310401${String(n + 1).padStart(6, '0')}`));
    const { rows } = await sql(`SELECT count(*)::int AS n FROM work_orders WHERE ticket_no LIKE 'GD20310401%'`);
    expect(rows[0].n).toBe(20);
    await expect(sql(`UPDATE work_orders SET ticket_no = 'GD20310401000001' WHERE ticket_no = 'GD20310401000002'`)).rejects.toThrow(/work_orders_ticket_no/);
  });

  it('are what the customer sees in the list, the detail and the progress texts', async () => {
    const filed = await app.request('POST', '/api/service-requests', {
      headers: { ...resident.auth, 'Idempotency-Key': 'tk-http-1' },
      body: suggestion(99),
    });
    expect(filed.status).toBe(201);
    const ticketNo = filed.body.order.ticketNo as string;
    expect(ticketNo).toMatch(/^GD\d{14}$/);
    const list = await app.request('GET', '/api/service-requests', { headers: resident.auth });
    expect(list.body.orders.find((order: any) => order.id === filed.body.order.id).ticketNo).toBe(ticketNo);
    const detail = await app.request('GET', `/api/service-requests/${filed.body.order.id}`, { headers: resident.auth });
    expect(detail.body.order.ticketNo).toBe(ticketNo);
    await app.request('PUT', '/api/notifications/sms', { headers: resident.auth, body: { topic: 'workorder', enabled: true } });
    await app.runtime.deps.workOrders.act(filed.body.order.id, { kind: 'staff', id: 1 }, { action: 'advance' });
    const texts = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', `/sms/messages?phone=${resident.phone}`);
      const progress = body.messages.filter((message: any) => message.template === 'workorder_progress');
      return progress.length ? progress : undefined;
    });
    expect(texts.map((message: any) => message.params.order)).toEqual([ticketNo]);
  });
});

describe('document review status', () => {
  const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
  const upload = async (kind: string, filename: string) => {
    const form = new FormData();
    form.set('kind', kind);
    form.set('file', new Blob([new Uint8Array(PNG)]), filename);
    const response = await fetch(`${app.url}/api/service-requests/documents`, { method: 'POST', headers: resident.auth, body: form });
    return ((await response.json()) as { document: { id: number } }).document.id;
  };

  it('is received on filing, need replacing when staff ask for documents, and accepted once the stage passes', async () => {
    const { clock, workOrders } = servicesAt('2031-05-06T02:00:00Z');
    const licence = await upload('business_licence', 'licence.png');
    const loads = await upload('load_list', 'loads.png');
    const form = {
      accountId: account,
      company: '杭州绿源食品有限公司',
      creditCode: '91330110MA27Y0QX58',
      currentKva: 630,
      requestedKva: 1000,
      expectedDate: '2031-08-01',
      reason: '新增一条生产线',
      contactName: '王经理',
      contactPhone: '13600000005',
    };
    const { order } = await workOrders.submit(me, 'tk-docs-1', { type: 'capacity_increase', form, documents: [licence, loads] });
    const statuses = async () => (await workOrders.detail(order.id, me)).documents.map((document) => [document.filename, document.status]);
    expect(await statuses()).toEqual([
      ['licence.png', 'received'],
      ['loads.png', 'received'],
    ]);
    clock.advance(3_600_000);
    await workOrders.act(order.id, { kind: 'staff', id: 1 }, { action: 'request_documents' }, '用电设备清单不清晰');
    expect(await statuses()).toEqual([
      ['licence.png', 'need_replacing'],
      ['loads.png', 'need_replacing'],
    ]);
    clock.advance(3_600_000);
    await workOrders.supplyDocuments(order.id, me, [await upload('load_list', 'loads-clear.png')]);
    expect((await statuses())[2]).toEqual(['loads-clear.png', 'received']);
    clock.advance(3_600_000);
    await workOrders.act(order.id, { kind: 'staff', id: 1 }, { action: 'advance' });
    expect(await statuses()).toEqual([
      ['licence.png', 'accepted'],
      ['loads.png', 'accepted'],
      ['loads-clear.png', 'accepted'],
    ]);
  });
});
