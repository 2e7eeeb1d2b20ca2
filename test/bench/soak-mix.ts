/**
 * The soak's traffic: what customers, the payment gateways and bank terminals send, each request
 * checked for its status and for a body that says what it should. Every simulated client has its
 * own address in X-Forwarded-For (see soak.ts on TRUST_PROXY_HOPS), so the per-IP limits see many
 * clients, as behind a real load balancer.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createTerminalClient, type TerminalClient } from '../../mock/src/terminal/client';
import { shanghaiDate } from '../../shared/dates';
import { fenToYuan } from '../../shared/money';
import type { Config } from '../../server/src/config';
import type { PaymentKeys } from '../../shared/node/payment-keys';
import { signedAlipayNotification, signedWechatNotification } from '../support/payments';
import { complaint, createHttpClient, multipart, PHOTO, type RequestOptions } from './client';
import type { SoakStats } from './soak-stats';
import { CONSENT_VERSION } from '../../shared/consent';

type Channel = 'wechat_jsapi' | 'wechat_h5' | 'alipay_wap';

export interface Customer {
  id: number;
  accountId: number;
  ip: string;
  channel: Channel;
  accessToken: string;
  refreshToken: string;
  sessionAt: number;
  refreshing: boolean;
  /** Open bills to pay one at a time, oldest first; then top-ups. */
  openReceivables: number[];
  /** Months with a published bill. */
  months: string[];
}

interface SoakTerminal {
  client: TerminalClient;
  ip: string;
  date: string;
  serial: number;
  /** A terminal sends one message at a time, as a real one does. */
  queue: Promise<void>;
}

interface Answer {
  status: number;
  body: any;
  text?: string;
}

const json = (body: unknown): RequestOptions => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A distinct private address for the n-th client of a kind. */
const address = (kind: number, n: number) => `10.${kind}.${(n >> 8) & 255}.${n & 255}`;

export function createMix(deps: { serverUrl: string; mocksUrl: string; keys: PaymentKeys; config: Config; terminalAccounts: string[] }) {
  const http = createHttpClient(256);
  let stats: SoakStats | undefined;
  let phones = 0;
  let tradeNos = 0;
  const customers: Customer[] = [];
  const terminals: SoakTerminal[] = [];

  /** Times one exchange and records it as ok or as an error (wrong status, bad body, network). */
  async function record(route: string, expected: number, check: (answer: Answer) => unknown, send: () => Promise<Answer>): Promise<Answer | undefined> {
    const started = performance.now();
    try {
      const answer = await send();
      const ms = performance.now() - started;
      const detail = () => answer.text ?? JSON.stringify(answer.body);
      if (answer.status !== expected) return void stats!.error(route, ms, String(answer.status), detail());
      if (!check(answer)) return void stats!.error(route, ms, 'bad body', detail());
      stats!.ok(route, ms);
      return answer;
    } catch (err) {
      stats!.error(route, performance.now() - started, 'network', (err as Error).message);
      return undefined;
    }
  }

  function call(
    route: string,
    url: string,
    options: RequestOptions & { ip: string; token?: string },
    expected: number,
    check: (answer: Answer) => unknown = () => true,
  ) {
    const headers: Record<string, string> = { ...options.headers, 'X-Forwarded-For': options.ip };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    return record(route, expected, check, () => http.request(url.startsWith('http') ? url : `${deps.serverUrl}${url}`, { ...options, headers }));
  }

  const get = (route: string, path: string, customer: Customer, check: (answer: Answer) => unknown) =>
    call(route, path, { method: 'GET', ip: customer.ip, token: customer.accessToken }, 200, check);

  /** The H5 login: a code by SMS, read from the mock gateway, then verified. */
  async function smsLogin(phone: string, ip: string) {
    const sent = await call('POST /api/auth/sms/send', '/api/auth/sms/send', { ...json({ phone, purpose: 'login' }), ip }, 200, (a) => a.body?.sent === true);
    if (!sent) return undefined;
    const inbox = await call(
      'mock GET /sms/messages',
      `${deps.mocksUrl}/sms/messages?phone=${phone}`,
      { method: 'GET', ip },
      200,
      (a) => a.body?.messages?.length > 0,
    );
    if (!inbox) return undefined;
    const code = inbox.body.messages.at(-1).params.code as string;
    const session = await call(
      'POST /api/auth/sms/verify',
      '/api/auth/sms/verify',
      { ...json({ phone, code, consentVersion: CONSENT_VERSION }), ip },
      200,
      (a) => typeof a.body?.accessToken === 'string',
    );
    return session?.body as { accessToken: string; refreshToken: string } | undefined;
  }

  async function refresh(customer: Customer) {
    customer.refreshing = true;
    const session = await call(
      'POST /api/auth/refresh',
      '/api/auth/refresh',
      { ...json({ refreshToken: customer.refreshToken }), ip: customer.ip },
      200,
      (a) => typeof a.body?.refreshToken === 'string',
    );
    if (session) Object.assign(customer, { accessToken: session.body.accessToken, refreshToken: session.body.refreshToken, sessionAt: Date.now() });
    customer.refreshing = false;
  }

  /** A customer for the next operation; one whose access token is near its end refreshes first, as the app does. */
  async function someone(): Promise<Customer> {
    const customer = customers[randomInt(customers.length)]!;
    if (!customer.refreshing && Date.now() - customer.sessionAt > 10 * 60_000) await refresh(customer);
    return customer;
  }

  async function pay(customer: Customer) {
    const receivable = customer.openReceivables.shift();
    const body = receivable
      ? { purpose: 'bills', accountId: customer.accountId, channel: customer.channel, receivableIds: [receivable] }
      : { purpose: 'top_up', accountId: customer.accountId, channel: customer.channel, amountFen: 5_000 + randomInt(15_000) };
    const created = await call(
      'POST /api/payments',
      '/api/payments',
      { ...json(body), headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() }, ip: customer.ip, token: customer.accessToken },
      201,
      (a) => a.body?.order?.state === 'PAYING' && a.body.order.amountFen > 0 && a.body.order.launch,
    );
    // One in ten is abandoned at the cashier: the order stays open for the server's sweep to ask about and close.
    if (!created || randomInt(10) === 0) return;
    const order = created.body.order as { id: number; outTradeNo: string; amountFen: number };
    await sleep(300 + randomInt(1_200));
    // The gateway's notification, signed with its keys; the gateway calls from its own addresses.
    const gatewayIp = address(200, randomInt(256));
    if (customer.channel === 'alipay_wap') {
      const notice = signedAlipayNotification(deps.keys.alipay, deps.config.alipay, {
        out_trade_no: order.outTradeNo,
        total_amount: fenToYuan(order.amountFen),
      });
      if (
        !(await call(
          'POST /api/payments/notify/alipay',
          '/api/payments/notify/alipay',
          { method: 'POST', ...notice, ip: gatewayIp },
          200,
          (a) => a.text === 'success',
        ))
      )
        return;
    } else {
      tradeNos += 1;
      const notice = signedWechatNotification(deps.keys.wechatPay, deps.config.wechatPay, {
        out_trade_no: order.outTradeNo,
        total: order.amountFen,
        transaction_id: `4200${Date.now()}${tradeNos}`,
      });
      if (!(await call('POST /api/payments/notify/wechat', '/api/payments/notify/wechat', { method: 'POST', ...notice, ip: gatewayIp }, 204))) return;
    }
    // The result page asks once the gateway has told the server.
    await get('GET /api/payments/{orderId}', `/api/payments/${order.id}`, customer, (a) => a.body?.order?.state === 'PAID');
  }

  async function fileRequest(customer: Customer) {
    const upload = multipart({ kind: 'photo' }, { name: 'meter.png', type: 'image/png', bytes: PHOTO });
    const stored = await call(
      'POST /api/service-requests/documents',
      '/api/service-requests/documents',
      { method: 'POST', headers: { 'Content-Type': upload.contentType }, body: upload.body, ip: customer.ip, token: customer.accessToken },
      201,
      (a) => a.body?.document?.id > 0,
    );
    if (!stored) return;
    const key = randomUUID();
    const filing = {
      ...json(complaint(stored.body.document.id)),
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      ip: customer.ip,
      token: customer.accessToken,
    };
    const filed = await call('POST /api/service-requests', '/api/service-requests', filing, 201, (a) => a.body?.order?.id > 0);
    // One in ten is sent again (a retry after a lost reply): the same request comes back.
    if (filed && randomInt(10) === 0)
      await call('POST /api/service-requests (retry)', '/api/service-requests', filing, 200, (a) => a.body?.order?.id === filed.body.order.id);
  }

  function terminalPay() {
    const terminal = terminals[randomInt(terminals.length)]!;
    const next = terminal.queue.then(async () => {
      const headers = { 'X-Forwarded-For': terminal.ip };
      const today = shanghaiDate(new Date());
      if (terminal.date !== today) {
        // A new accounting day (the soak ran past midnight in Shanghai): close the old one, open the new.
        await record(
          'POST /api/terminal/v1/signout',
          200,
          () => true,
          () => terminal.client.signout(terminal.date, { headers }),
        );
        await signin(terminal, today);
      }
      terminal.serial += 1;
      const accountNo = deps.terminalAccounts[randomInt(deps.terminalAccounts.length)]!;
      await record(
        'POST /api/terminal/v1/pay',
        200,
        (a) => a.body?.status === 'accepted' && a.body.accountNo === accountNo,
        () =>
          terminal.client.pay(
            { serial: `P${String(terminal.serial).padStart(9, '0')}`, accountingDate: today, accountNo, amountFen: 100 + randomInt(10_000) },
            { headers },
          ),
      );
    });
    terminal.queue = next;
    return next;
  }

  async function signin(terminal: SoakTerminal, date: string) {
    terminal.date = date;
    terminal.serial = 0;
    await record(
      'POST /api/terminal/v1/signin',
      200,
      (a) => a.body?.status === 'open',
      () => terminal.client.signin(date, { headers: { 'X-Forwarded-For': terminal.ip } }),
    );
  }

  /** Share of requests, requests per operation, and the operation. */
  const operations: Array<{ name: string; share: number; requests: number; run: () => Promise<unknown> }> = [
    {
      name: 'bill list',
      share: 26,
      requests: 1,
      run: async () => {
        const c = await someone();
        await get('GET /api/bills/{accountId}', `/api/bills/${c.accountId}`, c, (a) => a.body?.overview?.accountId === c.accountId && a.body.bills.length > 0);
      },
    },
    {
      name: 'bill detail',
      share: 20,
      requests: 1,
      run: async () => {
        const c = await someone();
        const month = c.months[randomInt(c.months.length)]!;
        await get(
          'GET /api/bills/{accountId}/{month}',
          `/api/bills/${c.accountId}/${month}`,
          c,
          (a) => a.body?.bill?.month === month && a.body.bill.lines.length > 0,
        );
      },
    },
    {
      name: 'outages',
      share: 10,
      requests: 1,
      run: async () => {
        const c = await someone();
        await (randomInt(5) < 3
          ? get('GET /api/outages', '/api/outages', c, (a) => Array.isArray(a.body?.outages))
          : get('GET /api/outages/mine', '/api/outages/mine', c, (a) => Array.isArray(a.body?.current)));
      },
    },
    {
      name: 'refresh',
      share: 5,
      requests: 1,
      run: async () => {
        // Never two rotations of one token at once: that is a replay, and ends the session.
        for (let tries = 0; tries < 5; tries += 1) {
          const c = customers[randomInt(customers.length)]!;
          if (!c.refreshing) return refresh(c);
        }
      },
    },
    {
      name: 'sms login',
      share: 6,
      requests: 4,
      run: async () => {
        phones += 1;
        const ip = address(2 + (phones >> 16), phones);
        const session = await smsLogin(`18${String(phones).padStart(9, '0')}`, ip);
        if (session)
          await call(
            'GET /api/me',
            '/api/me',
            { method: 'GET', ip, token: session.accessToken },
            200,
            (a) => a.body?.id > 0 && typeof a.body.phoneMasked === 'string',
          );
      },
    },
    { name: 'payment', share: 15, requests: 2.8, run: async () => pay(await someone()) },
    { name: 'terminal pay', share: 12, requests: 1, run: terminalPay },
    { name: 'service request', share: 6, requests: 2.1, run: async () => fileRequest(await someone()) },
  ];
  const totalShare = operations.reduce((sum, op) => sum + op.share, 0);
  const perOperation = operations.map((op) => ({ ...op, weight: op.share / totalShare / op.requests }));
  const weightSum = perOperation.reduce((sum, op) => sum + op.weight, 0);

  return {
    http,
    customers,
    setStats(next: SoakStats) {
      stats = next;
    },
    /** Operations per second that make `requestsPerSecond` requests in this mix. */
    operationRate: (requestsPerSecond: number) => requestsPerSecond * weightSum,
    /** One operation, chosen by its weight. */
    next(): Promise<unknown> {
      let draw = Math.random() * weightSum;
      for (const op of perOperation) if ((draw -= op.weight) <= 0) return op.run();
      return perOperation[0]!.run();
    },
    /** Signs a customer in for the soak: WeChat (mini-program) for even `n`, SMS (H5) for odd. */
    async login(n: number): Promise<Pick<Customer, 'ip' | 'channel' | 'accessToken' | 'refreshToken'> | undefined> {
      const ip = address(1, n);
      if (n % 2 === 0) {
        const wx = await call(
          'mock POST /wechat/_login',
          `${deps.mocksUrl}/wechat/_login`,
          { ...json({ openid: `oSOAK${String(n).padStart(8, '0')}` }), ip },
          200,
          (a) => a.body?.code,
        );
        const session =
          wx &&
          (await call(
            'POST /api/auth/wechat',
            '/api/auth/wechat',
            { ...json({ code: wx.body.code, consentVersion: CONSENT_VERSION }), ip },
            200,
            (a) => typeof a.body?.accessToken === 'string',
          ));
        return session ? { ip, channel: 'wechat_jsapi', ...session.body } : undefined;
      }
      const session = await smsLogin(`17${String(n).padStart(9, '0')}`, ip);
      return session ? { ip, channel: n % 4 === 1 ? 'wechat_h5' : 'alipay_wap', ...session } : undefined;
    },
    profile: (customer: Pick<Customer, 'ip' | 'accessToken'>) =>
      call('GET /api/me', '/api/me', { method: 'GET', ip: customer.ip, token: customer.accessToken }, 200, (a) => a.body?.id > 0),
    async addTerminal(terminalId: string, secret: string, ip: string) {
      const terminal: SoakTerminal = {
        client: createTerminalClient({ baseUrl: deps.serverUrl, terminalId, secret }),
        ip,
        date: '',
        serial: 0,
        queue: Promise.resolve(),
      };
      await signin(terminal, shanghaiDate(new Date()));
      terminals.push(terminal);
    },
    call,
  };
}

export type Mix = ReturnType<typeof createMix>;
