import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, smsLogin, type LoggedIn } from '../support/identity';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const bind = (who: LoggedIn, body: object) => app.request('POST', '/api/accounts/bind', { headers: who.auth, body });
const list = async (who: LoggedIn) =>
  (await app.request('GET', '/api/accounts', { headers: who.auth })).body.accounts as Array<{ id: number; accountNo: string; isDefault: boolean }>;
const byHolder = (accountNo: string, holderName: string, phoneLast4: string) => ({ method: 'holder', accountNo, holderName, phoneLast4 });

describe('binding electricity accounts', () => {
  it('binds with holder name and last four phone digits, and lists the account masked', async () => {
    const customer = await smsLogin(app);
    const res = await bind(customer, byHolder('3301000001', '张伟', '0001'));
    expect(res.status).toBe(200);
    expect(res.body.account).toEqual({
      id: expect.any(Number),
      accountNo: '3301000001',
      holderNameMasked: '张*',
      addressMasked: '杭州市西湖区****',
      customerClass: 'residential',
      isDefault: true,
    });
    expect(await list(customer)).toHaveLength(1);
    // Binding again is not an error and changes nothing.
    expect((await bind(customer, byHolder('3301000001', '张伟', '0001'))).status).toBe(200);
    expect(await list(customer)).toHaveLength(1);
  });

  it('gives the same answer for an unknown account, a wrong name and wrong digits', async () => {
    const customer = await smsLogin(app);
    const answers = await Promise.all([
      bind(customer, byHolder('3309999999', '张伟', '0001')),
      bind(customer, byHolder('3301000003', '李四', '0003')),
      bind(customer, byHolder('3301000003', '李娜', '9999')),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect({ code: answer.body.error.code, message: answer.body.error.message }).toEqual({
        code: 'BIND_VERIFICATION_FAILED',
        message: 'The account number and the details given do not match our records',
      });
    }
  });

  it('stops a customer after five failures, even with the right details', async () => {
    const prober = await smsLogin(app);
    for (let i = 0; i < 5; i += 1) await bind(prober, byHolder(`33020000${String(i).padStart(2, '0')}`, '某人', '1234'));
    const blocked = await bind(prober, byHolder('3301000004', '欧阳明', '0004'));
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });

  it('binds with a code sent to the phone on file, answering the same for unknown accounts', async () => {
    const customer = await smsLogin(app);
    const sent = await app.request('POST', '/api/accounts/bind/sms', { headers: customer.auth, body: { accountNo: '3301000002' } });
    const unknown = await app.request('POST', '/api/accounts/bind/sms', { headers: customer.auth, body: { accountNo: '3309999998' } });
    expect(sent.body).toEqual(unknown.body);
    const code = await lastSmsCode(app, '13800000002');
    const wrongAccount = await bind(customer, { method: 'sms', accountNo: '3301000001', code });
    expect(wrongAccount.body.error.code).toBe('BIND_VERIFICATION_FAILED');
    const res = await bind(customer, { method: 'sms', accountNo: '3301000002', code });
    expect(res.status).toBe(200);
    expect(res.body.account.holderNameMasked).toBe('王*');
  });

  it('lets a family bind one account, each seeing it', async () => {
    const [parent, child] = await Promise.all([smsLogin(app), smsLogin(app)]);
    await bind(parent, byHolder('3301000006', '陈刚', '0006'));
    await bind(child, byHolder('3301000006', '陈刚', '0006'));
    expect((await list(parent)).map((a) => a.accountNo)).toEqual(['3301000006']);
    expect((await list(child)).map((a) => a.accountNo)).toEqual(['3301000006']);
  });

  it('allows ten accounts per customer, even when binds race', async () => {
    const { pool } = app.runtime.deps.database;
    const numbers = Array.from({ length: 12 }, (_, i) => `34010000${String(i).padStart(2, '0')}`);
    await pool.query(
      `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
       SELECT n, '测试户', '杭州市滨江区江南大道 1 号', 'residential', 'TA-BJ-001', '13300001234' FROM unnest($1::text[]) AS n`,
      [numbers],
    );
    const customer = await smsLogin(app);
    const results = await Promise.all(numbers.map((accountNo) => bind(customer, byHolder(accountNo, '测试户', '1234'))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'ACCOUNT_LIMIT_REACHED')).toBe(true);
    const accounts = await list(customer);
    expect(accounts).toHaveLength(10);
    expect(accounts.filter((a) => a.isDefault)).toHaveLength(1);
  });

  it('sets the default, and passes it on when the default is unbound', async () => {
    const customer = await smsLogin(app);
    const first = (await bind(customer, byHolder('3301000003', '李娜', '0003'))).body.account;
    const second = (await bind(customer, byHolder('3301000004', '欧阳明', '0004'))).body.account;
    expect([first.isDefault, second.isDefault]).toEqual([true, false]);
    const made = await app.request('POST', `/api/accounts/${second.id}/default`, { headers: customer.auth });
    expect(made.body.account.isDefault).toBe(true);
    expect((await list(customer)).filter((a) => a.isDefault).map((a) => a.id)).toEqual([second.id]);
    expect((await app.request('DELETE', `/api/accounts/${second.id}`, { headers: customer.auth })).status).toBe(200);
    expect(await list(customer)).toEqual([expect.objectContaining({ id: first.id, isDefault: true })]);
  });
});
