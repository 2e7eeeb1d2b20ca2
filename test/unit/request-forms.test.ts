import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REQUEST_TYPES } from '../../shared/requests/catalog';
import { CreditCode, IdNumber, REQUEST_FORMS, RequestSubmission } from '../../shared/requests/forms';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
// Independent check-character computations (written from the standards, not taken from the product code).
const idCheck = (body: string) => '10X98765432'[[...body].reduce((sum, digit, index) => sum + Number(digit) * ID_WEIGHTS[index]!, 0) % 11]!;
const creditCheck = (body: string) =>
  CREDIT_CHARS[(31 - ([...body].reduce((sum, char, index) => sum + CREDIT_CHARS.indexOf(char) * CREDIT_WEIGHTS[index]!, 0) % 31)) % 31]!;

describe('identity numbers in request forms', () => {
  it('accepts a resident ID with the right check character, including X, and refuses any other', () => {
    expect(IdNumber.safeParse('11010519491231002X').success).toBe(true);
    expect(IdNumber.safeParse('11010519491231002x').success).toBe(true);
    expect(IdNumber.safeParse('110105194912310021').success).toBe(false);
    expect(IdNumber.safeParse('1101051949123100').success).toBe(false);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 17, maxLength: 17 }), (digits) => {
        const body = digits.join('');
        const wrong = '0123456789X'.replace(idCheck(body), '')[0]!;
        return IdNumber.safeParse(body + idCheck(body)).success && !IdNumber.safeParse(body + wrong).success;
      }),
    );
  });

  it('accepts a unified social credit code with the right check character and refuses any other', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CREDIT_CHARS), { minLength: 17, maxLength: 17 }), (chars) => {
        const body = chars.join('');
        const wrong = CREDIT_CHARS.replace(creditCheck(body), '')[3]!;
        return CreditCode.safeParse(body + creditCheck(body)).success && !CreditCode.safeParse(body + wrong).success;
      }),
    );
    expect(CreditCode.safeParse('91110108MA01C7HL2I').success).toBe(false); // I is never used
  });
});

describe('request forms', () => {
  it('has a form for every request type and takes submissions by type', () => {
    expect(Object.keys(REQUEST_FORMS).sort()).toEqual([...REQUEST_TYPES].sort());
    const ok = RequestSubmission.safeParse({ type: 'suggestion', form: { subject: '营业厅', description: '希望周末延长营业时间到晚上八点' } });
    expect(ok.success).toBe(true);
    const wrongForm = RequestSubmission.safeParse({ type: 'fault_repair', form: { subject: '营业厅', description: '希望周末延长营业时间' } });
    expect(wrongForm.success).toBe(false);
    expect(RequestSubmission.safeParse({ type: 'teleport', form: {} }).success).toBe(false);
  });

  it('checks the rules between fields: more capacity than now, a suspension that ends after it starts', () => {
    const base = {
      accountId: 5,
      company: '杭州绿源食品有限公司',
      creditCode: '91330110' + 'MA2H0000' + '1',
      currentKva: 315,
      expectedDate: '2027-03-01',
      reason: '新增生产线',
      contactName: '王经理',
      contactPhone: '13600000005',
    };
    const code = base.creditCode.slice(0, 17);
    const valid = { ...base, creditCode: code + creditCheck(code) };
    expect(REQUEST_FORMS.capacity_increase.safeParse({ ...valid, requestedKva: 630 }).success).toBe(true);
    const smaller = REQUEST_FORMS.capacity_increase.safeParse({ ...valid, requestedKva: 200 });
    expect(smaller.success).toBe(false);
    expect(smaller.error?.issues[0]?.path).toEqual(['requestedKva']);
    const suspension = {
      accountId: 5,
      mode: 'suspend',
      from: '2027-01-10',
      until: '2027-01-01',
      reason: '停产检修',
      contactName: '王经理',
      contactPhone: '13600000005',
    };
    expect(REQUEST_FORMS.capacity_decrease.safeParse(suspension).error?.issues[0]?.path).toEqual(['until']);
    expect(REQUEST_FORMS.capacity_decrease.safeParse({ ...suspension, until: '2027-02-01' }).success).toBe(true);
    expect(REQUEST_FORMS.lv_business_connection.safeParse({ ...valid, address: '杭州市上城区清泰街 188 号', requestedKw: 200 }).success).toBe(false);
  });
});
