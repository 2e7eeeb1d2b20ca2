import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, loginAndBind, newPhonePage, screenshot } from '../support/browser';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';

// The demo factory (3301000005, large industry, 630 kVA contracted) asks for more capacity from
// the H5 page; the mock back office then moves the order, as a clerk would.
let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchChromium();
  page = await newPhonePage(browser);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** A real 1×1 PNG: signature, IHDR, one deflated scanline, IEND, each chunk with its CRC. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 0x0b, 0x6e, 0x4f]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real one-page PDF with a correct cross-reference table. */
function tinyPdf(): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'];
  let text = '%PDF-1.4\n';
  const offsets = objects.map((object, index) => {
    const offset = Buffer.byteLength(text);
    text += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = Buffer.byteLength(text);
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text);
}

const field = (testId: string) => page.locator(`[data-testid=${testId}] input, input[data-testid=${testId}]`).first();
const textarea = (testId: string) => page.locator(`[data-testid=${testId}] textarea, textarea[data-testid=${testId}]`).first();

async function upload(kind: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId(`doc-${kind}-pick`).click();
  await (await chooser).setFiles(file);
  await expect.poll(() => page.getByTestId(`doc-${kind}-state`).textContent()).toContain(`已上传 ${file.name}`);
}

describe('H5 service requests in Chromium', () => {
  it('a business applies for more capacity with two documents and sees the back office move it on', async () => {
    const phone = uniquePhone();
    await loginAndBind(page, {
      url: app.url,
      phone,
      code: () => lastSmsCode(app, phone),
      accountNo: '3301000005',
      holderName: '杭州绿源食品有限公司',
      phoneLast4: '0005',
    });

    await page.goto(`${app.url}/pages/services/index`);
    await page.getByTestId('service-apply').click();
    await page.waitForURL(/\/packages\/applications\/pages\/index\/index/);
    const capacity = page.getByTestId('request-type-capacity_increase');
    await capacity.waitFor();
    expect(await capacity.textContent()).toContain('需准备：营业执照、用电设备清单');
    await screenshot(page, 'requests-hub');
    await capacity.click();
    await page.waitForURL(/\/packages\/requests\/pages\/capacity\/index/);

    // Step 1: the company; a wrong check character is caught as it is typed.
    await page.getByTestId('capacity').waitFor();
    await field('field-company').fill('杭州绿源食品有限公司');
    await field('field-creditCode').fill('91330110MA27Y0QX59');
    expect(await page.getByTestId('error-creditCode').textContent()).toBe('统一社会信用代码校验位不正确');
    await field('field-creditCode').fill('91330110MA27Y0QX58');
    await field('field-contactName').fill('王经理');
    await field('field-contactPhone').fill('13600000005');
    expect(await page.getByTestId('error-creditCode').count()).toBe(0);
    await screenshot(page, 'requests-company');
    await page.getByTestId('capacity-next').click();

    // Step 2: the supply, its contracted capacity from billing, and what is wanted.
    await expect.poll(() => page.getByTestId('current-kva').textContent()).toBe('630 千伏安（合同容量）');
    const expected = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    await page.locator('input[data-testid=field-expectedDate]').fill(expected);
    await textarea('field-reason').fill('新增一条冷链生产线');
    await field('field-requestedKva').fill('500');
    expect(await page.getByTestId('error-requestedKva').textContent()).toBe('增容后的容量应大于现有容量');
    await field('field-requestedKva').fill('1000');
    await screenshot(page, 'requests-capacity');
    await page.getByTestId('capacity-next').click();

    // Step 3: the two documents the catalog requires, through the page's file input.
    await page.getByTestId('doc-business_licence').waitFor();
    await upload('business_licence', { name: 'licence.png', mimeType: 'image/png', buffer: tinyPng() });
    await upload('load_list', { name: 'loads.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await screenshot(page, 'requests-documents');
    await page.getByTestId('capacity-next').click();

    // Step 4: review and submit.
    const review = page.getByTestId('capacity-review');
    await review.waitFor();
    for (const text of ['91330110MA27Y0QX58', '3301000005', '1000 千伏安', expected, 'loads.pdf']) expect(await review.textContent()).toContain(text);
    await screenshot(page, 'requests-review');
    await page.getByTestId('request-submit').click();

    await page.waitForURL(/\/packages\/requests\/pages\/detail\/index\?id=\d+/);
    const orderId = Number(new URL(page.url()).searchParams.get('id'));
    await expect.poll(() => page.getByTestId('timeline-current').textContent()).toMatch(/^受理（办理中）应于 .+ 前完成$/);
    expect(await page.getByTestId('timeline-upcoming').count()).toBe(4);
    await screenshot(page, 'requests-submitted');
    // Progress by text message, switched on from the order page.
    await page.getByTestId('notify-sms-toggle').click();
    await expect.poll(() => page.getByTestId('notify-sms-state').textContent()).toBe('已开启');

    // One order, with both files attached as the customer uploaded them.
    const sql = app.runtime.deps.database.pool;
    const { rows: orders } = await sql.query('SELECT id, ticket_no, form FROM work_orders WHERE type = $1', ['capacity_increase']);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ id: orderId, form: { currentKva: 630, requestedKva: 1000, creditCode: '91330110MA27Y0QX58' } });
    const { rows: documents } = await sql.query('SELECT kind, mime_type FROM documents WHERE work_order_id = $1 ORDER BY kind', [orderId]);
    expect(documents).toEqual([
      { kind: 'business_licence', mime_type: 'image/png' },
      { kind: 'load_list', mime_type: 'application/pdf' },
    ]);

    // A clerk accepts it in the back office, which calls back signed.
    const moved = await request(app.mocks.url, 'POST', '/backoffice/_advance', {
      body: { callbackUrl: `${app.url}/api/staff/workorders/callbacks`, orderId, action: 'advance', note: '资料齐全，已受理' },
    });
    expect(moved.body).toMatchObject({ status: 200, reply: { order: { stage: 'survey' } } });
    await page.reload();
    await expect.poll(() => page.getByTestId('timeline-current').textContent()).toMatch(/^现场勘查（办理中）应于 .+ 前完成$/);
    expect(await page.getByTestId('timeline-done').last().textContent()).toMatch(/^受理完成.*资料齐全，已受理$/);
    expect(await page.getByTestId('request-state').textContent()).toBe('办理中 · 现场勘查');
    await screenshot(page, 'requests-advanced');
    const texts = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', `/sms/messages?phone=${phone}`);
      const progress = body.messages.filter((message: any) => message.template === 'workorder_progress');
      return progress.length ? progress : undefined;
    });
    expect(texts).toHaveLength(1);
    expect(orders[0].ticket_no).toMatch(/^GD\d{8}\d{6}$/);
    expect(await page.getByTestId('request-no').textContent()).toBe(orders[0].ticket_no);
    expect(await page.getByTestId('order-documents').textContent()).toMatch(/营业执照.*审核通过.*用电设备清单.*审核通过/);
    expect(texts[0].params).toMatchObject({ order: orders[0].ticket_no, type: '增容', stage: '现场勘查', note: '资料齐全，已受理' });

    await page.goto(`${app.url}/packages/requests/pages/mine/index`);
    const row = page.getByTestId(`my-request-${orderId}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('增容办理中 · 现场勘查');
    await screenshot(page, 'requests-mine');
  });

  it('a resident reports a fault from the services tab, with the form checked as they type', async () => {
    const resident = await newPhonePage(browser);
    const phone = uniquePhone();
    await loginAndBind(resident, { url: app.url, phone, code: () => lastSmsCode(app, phone), accountNo: '3301000001', holderName: '张伟', phoneLast4: '0001' });
    await resident.goto(`${app.url}/pages/services/index`);
    await resident.getByTestId('service-repair').click();
    await resident.waitForURL(/\/packages\/requests\/pages\/form\/index\?type=fault_repair/);
    await resident.getByTestId('request-form-fault_repair').waitFor();

    await resident.locator('[data-testid=field-description] textarea').fill('没电');
    expect(await resident.getByTestId('error-description').textContent()).toBe('至少 4 个字');
    await resident.getByTestId('request-submit').click();
    expect(await resident.getByTestId('error-symptom').textContent()).toBe('请选择故障现象');
    await screenshot(resident, 'requests-repair-errors');

    await resident.getByTestId('field-symptom-no_power').click();
    await resident.getByTestId('field-scope-my_home').click();
    await resident.locator('[data-testid=field-description] textarea').fill('整屋没电，邻居家有电，空气开关没有跳闸');
    // The contact phone is the logged-in customer's own number, and the bound account's address is offered.
    const contactPhone = resident.locator('[data-testid=field-contactPhone] input, input[data-testid=field-contactPhone]').first();
    await expect.poll(() => contactPhone.inputValue()).toBe(phone);
    expect(await resident.getByTestId('field-accountId-none').textContent()).toBe('其他地址');
    await resident.getByTestId('request-submit').click();
    await resident.waitForURL(/\/packages\/requests\/pages\/detail\/index\?id=\d+/);
    await expect.poll(() => resident.getByTestId('timeline-current').textContent()).toMatch(/^受理（办理中）应于 .+ 前完成$/);
    expect(await resident.getByTestId('request-detail').textContent()).toContain('整户停电');
    expect(await resident.getByTestId('request-no').textContent()).toMatch(/^GD\d{14}$/);
    await screenshot(resident, 'requests-repair');
    await resident.close();
  });
});
