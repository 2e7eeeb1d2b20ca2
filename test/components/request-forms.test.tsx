import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import Taro, { useRouter } from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import RequestsHome from '../../miniapp/src/packages/requests/pages/index/index';
import RequestFormPage from '../../miniapp/src/packages/requests/pages/form/index';
import CapacityPage from '../../miniapp/src/packages/requests/pages/capacity/index';
import { resetTaroStorage } from '../support/taro/taro';
import { CREDIT_CODE, FACTORY_OVERVIEW, RESIDENT_AND_FACTORY, RESIDENT_ONLY, TYPES_REPLY } from './request-fixtures';
import { calls, failure, logIn, reply, serve } from './fake-api';

// Files are picked and uploaded by the platform layer; here the picker hands over prepared files.
const files = vi.hoisted(() => ({ pick: vi.fn(), upload: vi.fn() }));
vi.mock('../../miniapp/src/platform', async (importOriginal) => {
  const h5 = await importOriginal<typeof import('../../miniapp/src/platform/index.h5')>();
  return { ...h5, platform: { ...h5.platform, pickFiles: files.pick, uploadFile: files.upload } };
});

const META = reply(200, { utility: { name: '江南示范供电公司', shortName: '江南供电', hotline: '95598', serviceHours: '全天 24 小时' }, notices: [] });
const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });
const posts = () =>
  vi
    .mocked(Taro.request)
    .mock.calls.map(([options]) => options as { method: string; url: string; data?: any; header: Record<string, string> })
    .filter((options) => options.method === 'POST');

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
  vi.mocked(Taro.redirectTo).mockClear();
  files.pick.mockReset();
  files.upload.mockReset();
  logIn();
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('service hub', () => {
  it('lists the types the API offers by category, filters for businesses, and opens each form', async () => {
    serve({ 'GET /api/service-requests/types': [failure(500, 'INTERNAL', 'boom'), TYPES_REPLY], 'GET /api/meta': META });
    render(<RequestsHome />);
    expect(screen.getByTestId('state-loading')).toBeTruthy();
    fireEvent.click(within(await screen.findByTestId('state-error')).getByText('重试'));

    const connection = await screen.findByTestId('hub-connection');
    expect(connection.querySelector('.card__title')?.textContent).toBe('新装增容');
    const capacity = within(connection).getByTestId('request-type-capacity_increase');
    expect(capacity.textContent).toContain('受理 1 个工作日 → 现场勘查 2 个工作日 → 供电方案答复 15 个工作日');
    expect(capacity.textContent).toContain('全程约 28 个工作日');
    expect(capacity.textContent).toContain('需准备：营业执照、用电设备清单');
    expect(screen.getByTestId('request-type-fault_repair').textContent).toContain('全程约 5 小时 15 分钟');
    expect(screen.getAllByTestId(/^request-type-/)).toHaveLength(12);

    fireEvent.click(screen.getByTestId('hub-audience-business'));
    expect(screen.queryByTestId('request-type-lv_residential_connection')).toBeNull();
    expect(screen.getByTestId('request-type-hv_connection')).toBeTruthy();
    expect(screen.getByTestId('request-type-complaint')).toBeTruthy();

    fireEvent.click(screen.getByTestId('request-type-capacity_increase'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/requests/pages/capacity/index' });
    fireEvent.click(screen.getByTestId('request-type-meter_check'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/requests/pages/form/index?type=meter_check' });
  });
});

describe('request form', () => {
  const open = (requestType: string) => {
    vi.mocked(useRouter).mockReturnValue({ params: { type: requestType }, path: '/packages/requests/pages/form/index' } as never);
    return render(<RequestFormPage />);
  };

  it('checks each field with the shared schema as the customer types, and sends nothing until all pass', async () => {
    serve({ 'GET /api/accounts': RESIDENT_ONLY });
    open('fault_repair');
    await screen.findByTestId('request-form-fault_repair');
    // The default account is chosen for them.
    expect(screen.getByTestId('field-accountId-7').className).toContain('choices__item--active');

    type('field-description', '没电');
    expect(screen.getByTestId('error-description').textContent).toBe('至少 4 个字');
    type('field-contactPhone', '1380000');
    expect(screen.getByTestId('error-contactPhone').textContent).toBe('请填写 11 位手机号');
    expect(screen.queryByTestId('error-symptom')).toBeNull();

    fireEvent.click(screen.getByTestId('request-submit'));
    expect(screen.getByTestId('error-symptom').textContent).toBe('请选择故障现象');
    expect(screen.getByTestId('error-scope').textContent).toBe('请选择影响范围');
    expect(posts()).toHaveLength(0);

    type('field-description', '整屋没电，邻居家有电');
    type('field-contactPhone', '13800000001');
    fireEvent.click(screen.getByTestId('field-symptom-no_power'));
    fireEvent.click(screen.getByTestId('field-scope-my_home'));
    expect(screen.queryByTestId(/^error-/)).toBeNull();
  });

  it('files the request under one Idempotency-Key however often it is sent, then shows the order', async () => {
    serve({
      'GET /api/accounts': RESIDENT_ONLY,
      'POST /api/service-requests': [failure(500, 'INTERNAL', 'boom'), reply(201, { order: { id: 41 } })],
    });
    open('fault_repair');
    await screen.findByTestId('request-form-fault_repair');
    fireEvent.click(screen.getByTestId('field-symptom-flicker'));
    fireEvent.click(screen.getByTestId('field-scope-my_building'));
    type('field-description', '晚上灯一直闪');
    type('field-contactPhone', '13800000001');

    fireEvent.click(screen.getByTestId('request-submit'));
    expect((await screen.findByTestId('request-error')).textContent).toBe('服务暂时不可用，请稍后重试');
    fireEvent.click(screen.getByTestId('request-submit'));
    await vi.waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/requests/pages/detail/index?id=41' }));

    const sent = posts();
    expect(sent).toHaveLength(2);
    expect(sent[0]!.data).toEqual({
      type: 'fault_repair',
      form: { accountId: 7, symptom: 'flicker', scope: 'my_building', description: '晚上灯一直闪', contactPhone: '13800000001' },
      documents: [],
    });
    expect(sent[0]!.header['Idempotency-Key']).toMatch(/^[\w-]{8,64}$/);
    expect(sent[1]!.header['Idempotency-Key']).toBe(sent[0]!.header['Idempotency-Key']);
  });

  it('needs a login, a bound account for account requests, and a known type', async () => {
    resetTaroStorage();
    open('meter_check');
    expect(screen.getByTestId('gate-login')).toBeTruthy();
    cleanup();

    logIn();
    serve({ 'GET /api/accounts': reply(200, { accounts: [], limit: 10 }) });
    open('meter_check');
    expect(await screen.findByTestId('gate-bind')).toBeTruthy();
    cleanup();

    open('teleport');
    expect(screen.getByTestId('gate-link')).toBeTruthy();
    // Suggestions name no account: the form opens without asking for accounts (only for the phone to pre-fill).
    cleanup();
    vi.mocked(Taro.request).mockClear();
    open('suggestion');
    expect(screen.getByTestId('request-form-suggestion')).toBeTruthy();
    expect(calls()).toEqual(['GET /api/me']);
  });
});

describe('fault repair form', () => {
  const PROFILE = reply(200, { id: 1, phoneMasked: '139****0009', phone: '13900000009', hasWechat: false, accountCount: 2 });
  const open = () => {
    vi.mocked(useRouter).mockReturnValue({ params: { type: 'fault_repair' }, path: '/packages/requests/pages/form/index' } as never);
    return render(<RequestFormPage />);
  };
  const photo = (id: number, filename: string) => ({
    status: 201,
    headers: {},
    data: { document: { id, kind: 'fault_photo', filename, mimeType: 'image/jpeg', sizeBytes: 300_000 } },
  });
  const describeFault = () => {
    fireEvent.click(screen.getByTestId('field-symptom-no_power'));
    fireEvent.click(screen.getByTestId('field-scope-my_home'));
    type('field-description', '整屋没电，邻居家有电');
  };

  it('offers each bound account by its masked address, pre-fills my phone, and files the one picked', async () => {
    serve({ 'GET /api/accounts': RESIDENT_AND_FACTORY, 'GET /api/me': PROFILE, 'POST /api/service-requests': reply(201, { order: { id: 41 } }) });
    open();
    await screen.findByTestId('request-form-fault_repair');
    expect(screen.getByTestId('field-accountId-7').textContent).toBe('3301000001 杭州市西湖区文三路**号');
    expect(screen.getByTestId('field-accountId-5').textContent).toBe('3301000005 杭州市余杭区良渚街道**号');
    expect(screen.getByTestId('field-accountId-none').textContent).toBe('其他地址');
    expect(screen.queryByTestId('field-address')).toBeNull();
    await vi.waitFor(() => expect((screen.getByTestId('field-contactPhone') as HTMLInputElement).value).toBe('13900000009'));
    fireEvent.click(screen.getByTestId('field-accountId-5'));
    describeFault();
    fireEvent.click(screen.getByTestId('request-submit'));
    await vi.waitFor(() => expect(posts()).toHaveLength(1));
    expect(posts()[0]!.data.form).toEqual({
      accountId: 5,
      symptom: 'no_power',
      scope: 'my_home',
      description: '整屋没电，邻居家有电',
      contactPhone: '13900000009',
    });
  });

  it('takes a typed address instead of an account, and up to three photos, JPEG or PNG', async () => {
    serve({ 'GET /api/accounts': RESIDENT_ONLY, 'GET /api/me': PROFILE, 'POST /api/service-requests': reply(201, { order: { id: 42 } }) });
    open();
    await screen.findByTestId('request-form-fault_repair');
    fireEvent.click(screen.getByTestId('field-accountId-none'));
    describeFault();
    fireEvent.click(screen.getByTestId('request-submit'));
    expect(screen.getByTestId('error-address').textContent).toBe('请选择户号地址或填写故障地址');
    type('field-address', '滨江区长河街道春波小区 3 幢');

    for (const [id, name] of [
      [81, 'a.jpg'],
      [82, 'b.jpg'],
      [83, 'c.png'],
    ] as const) {
      files.pick.mockResolvedValueOnce([{ name, size: 300_000, source: `blob:${id}` }]);
      files.upload.mockResolvedValueOnce(photo(id, name));
      fireEvent.click(screen.getByTestId('fault-photo-add'));
      await screen.findByTestId(`fault-photo-${id}`);
    }
    expect(files.pick).toHaveBeenCalledWith({ count: 1, accept: 'image' });
    expect(screen.getByTestId('fault-photo-add').textContent).toBe('已达 3 张');
    expect((screen.getByTestId('fault-photo-add') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('fault-photo-82-remove'));
    expect(screen.queryByTestId('fault-photo-82')).toBeNull();
    expect(screen.getByTestId('fault-photo-add').textContent).toBe('添加照片');

    fireEvent.click(screen.getByTestId('request-submit'));
    await vi.waitFor(() => expect(posts()).toHaveLength(1));
    expect(posts()[0]!.data).toEqual({
      type: 'fault_repair',
      form: { address: '滨江区长河街道春波小区 3 幢', symptom: 'no_power', scope: 'my_home', description: '整屋没电，邻居家有电', contactPhone: '13900000009' },
      documents: [81, 83],
    });
  });

  it('shows the server refusing a field under that field, in Chinese', async () => {
    const refused = reply(400, {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Invalid body',
        requestId: 'r',
        details: { issues: [{ path: 'body.form.contactPhone', message: 'must be an 11-digit mainland mobile number' }] },
      },
    });
    serve({ 'GET /api/accounts': RESIDENT_ONLY, 'GET /api/me': PROFILE, 'POST /api/service-requests': refused });
    open();
    await screen.findByTestId('request-form-fault_repair');
    await vi.waitFor(() => expect((screen.getByTestId('field-contactPhone') as HTMLInputElement).value).toBe('13900000009'));
    describeFault();
    fireEvent.click(screen.getByTestId('request-submit'));
    expect((await screen.findByTestId('error-contactPhone')).textContent).toBe('请填写正确的 11 位手机号');
    expect(screen.queryByTestId('request-error')).toBeNull();
    // Once the customer changes the field, the server's old word on it goes.
    type('field-contactPhone', '13900000008');
    expect(screen.queryByTestId('error-contactPhone')).toBeNull();
  });
});

describe('capacity application', () => {
  const uploaded = (id: number, kind: string, filename: string) => ({
    status: 201,
    headers: {},
    data: { document: { id, kind, filename, mimeType: 'application/pdf', sizeBytes: 2048 } },
  });
  const next = () => fireEvent.click(screen.getByTestId('capacity-next'));
  const step = () => screen.getByTestId('step-current').textContent;

  it('walks a business through company, supply, documents and review, and files one order with both documents', async () => {
    serve({
      'GET /api/accounts': RESIDENT_AND_FACTORY,
      'GET /api/bills/5': FACTORY_OVERVIEW,
      'POST /api/service-requests': reply(201, { order: { id: 31 } }),
    });
    render(<CapacityPage />);
    await screen.findByTestId('capacity');
    expect(step()).toBe('1企业信息');

    next();
    expect(screen.getByTestId('error-company').textContent).toBe('请填写企业名称');
    expect(step()).toBe('1企业信息');
    type('field-company', '杭州绿源食品有限公司');
    type('field-creditCode', CREDIT_CODE.slice(0, 17) + '9');
    expect(screen.getByTestId('error-creditCode').textContent).toBe('统一社会信用代码校验位不正确');
    type('field-creditCode', CREDIT_CODE);
    type('field-contactName', '王经理');
    type('field-contactPhone', '13600000005');
    next();

    // Only the business supply is offered, and its contracted capacity comes from billing.
    expect(step()).toBe('2户号容量');
    expect(screen.queryByTestId('field-accountId-7')).toBeNull();
    expect(screen.getByTestId('field-accountId-5').className).toContain('choices__item--active');
    expect((await screen.findByTestId('current-kva')).textContent).toBe('630 千伏安（合同容量）');
    type('field-expectedDate', '2027-03-01');
    type('field-reason', '新增一条生产线');
    type('field-requestedKva', '500');
    expect(screen.getByTestId('error-requestedKva').textContent).toBe('增容后的容量应大于现有容量');
    next();
    expect(step()).toBe('2户号容量');
    type('field-requestedKva', '1000');
    next();

    expect(step()).toBe('3上传资料');
    next();
    expect(screen.getByTestId('doc-business_licence-error').textContent).toBe('请上传营业执照');
    expect(screen.getByTestId('doc-load_list-error').textContent).toBe('请上传用电设备清单');
    files.pick
      .mockResolvedValueOnce([{ name: 'licence.pdf', size: 2048, source: 'blob:1' }])
      .mockResolvedValueOnce([{ name: 'loads.pdf', size: 2048, source: 'blob:2' }]);
    files.upload.mockResolvedValueOnce(uploaded(81, 'business_licence', 'licence.pdf')).mockResolvedValueOnce(uploaded(82, 'load_list', 'loads.pdf'));
    fireEvent.click(screen.getByTestId('doc-business_licence-pick'));
    await vi.waitFor(() => expect(screen.getByTestId('doc-business_licence-state').textContent).toBe('已上传 licence.pdf（2 KB）'));
    fireEvent.click(screen.getByTestId('doc-load_list-pick'));
    await vi.waitFor(() => expect(screen.getByTestId('doc-load_list-state').textContent).toBe('已上传 loads.pdf（2 KB）'));
    expect(files.upload.mock.calls.map(([upload]) => upload.fields)).toEqual([{ kind: 'business_licence' }, { kind: 'load_list' }]);
    next();

    expect(step()).toBe('4确认提交');
    const review = screen.getByTestId('capacity-review').textContent;
    for (const text of ['杭州绿源食品有限公司', CREDIT_CODE, '3301000005', '630 千伏安', '1000 千伏安', '2027-03-01', 'licence.pdf'])
      expect(review).toContain(text);
    fireEvent.click(screen.getByTestId('request-submit'));
    fireEvent.click(screen.getByTestId('request-submit'));
    await vi.waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/requests/pages/detail/index?id=31' }));

    // The second tap met a button already disabled.
    const sent = posts();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toEqual({
      type: 'capacity_increase',
      form: {
        company: '杭州绿源食品有限公司',
        creditCode: CREDIT_CODE,
        contactName: '王经理',
        contactPhone: '13600000005',
        accountId: 5,
        currentKva: 630,
        requestedKva: 1000,
        expectedDate: '2027-03-01',
        reason: '新增一条生产线',
      },
      documents: [81, 82],
    });
  });

  it('goes back a step keeping what was typed, and refuses a file the server will not take', async () => {
    serve({ 'GET /api/accounts': RESIDENT_AND_FACTORY, 'GET /api/bills/5': reply(500, {}) });
    render(<CapacityPage />);
    await screen.findByTestId('capacity');
    type('field-company', '杭州绿源食品有限公司');
    type('field-creditCode', CREDIT_CODE);
    type('field-contactName', '王经理');
    type('field-contactPhone', '13600000005');
    next();
    // Billing did not answer: the customer types the current capacity.
    type('field-currentKva', '630');
    type('field-requestedKva', '800');
    type('field-expectedDate', '2027-03-01');
    type('field-reason', '新增冷库设备');
    fireEvent.click(screen.getByTestId('capacity-back'));
    expect((screen.getByTestId('field-company') as HTMLInputElement).value).toBe('杭州绿源食品有限公司');
    next();
    next();

    files.pick
      .mockResolvedValueOnce([{ name: 'licence.exe', size: 10, source: 'blob:3' }])
      .mockResolvedValueOnce([{ name: 'huge.pdf', size: 6 * 1_048_576, source: 'blob:4' }]);
    files.upload.mockResolvedValueOnce({ status: 415, headers: {}, data: { error: { code: 'DOCUMENT_TYPE_REFUSED', message: 'no', requestId: 'r' } } });
    fireEvent.click(screen.getByTestId('doc-business_licence-pick'));
    expect((await screen.findByTestId('doc-business_licence-error')).textContent).toBe('只能上传 JPG、PNG 照片或 PDF 文件');
    fireEvent.click(screen.getByTestId('doc-business_licence-pick'));
    await vi.waitFor(() => expect(screen.getByTestId('doc-business_licence-error').textContent).toBe('文件不能超过 5 MB'));
    expect(files.upload).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('doc-business_licence-state').textContent).toBe('未上传');
  });

  it('asks a customer with only a household account to bind a business one', async () => {
    serve({ 'GET /api/accounts': RESIDENT_ONLY });
    render(<CapacityPage />);
    expect((await screen.findByTestId('gate-bind')).textContent).toContain('增容需要先绑定企业（非居民）用电户号');
  });
});
