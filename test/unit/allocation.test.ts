import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAllocation, type Owed } from '../../server/src/modules/billing/allocation';

const owed = (receivableId: number, month: string, lateFeeOwedFen: number, principalOwedFen: number): Owed => ({
  receivableId,
  month,
  lateFeeOwedFen,
  principalOwedFen,
});

describe('planAllocation', () => {
  it('pays each receivable’s late fee before its principal, oldest receivable first, the rest as prepayment', () => {
    const debts = [owed(7, '2025-01', 300, 10_000), owed(9, '2025-02', 100, 5_000)];
    expect(planAllocation(250, debts)).toEqual({ lines: [{ receivableId: 7, month: '2025-01', lateFeeFen: 250, principalFen: 0 }], prepaymentFen: 0 });
    expect(planAllocation(10_500, debts)).toEqual({
      lines: [
        { receivableId: 7, month: '2025-01', lateFeeFen: 300, principalFen: 10_000 },
        { receivableId: 9, month: '2025-02', lateFeeFen: 100, principalFen: 100 },
      ],
      prepaymentFen: 0,
    });
    expect(planAllocation(20_000, debts)).toEqual({
      lines: [
        { receivableId: 7, month: '2025-01', lateFeeFen: 300, principalFen: 10_000 },
        { receivableId: 9, month: '2025-02', lateFeeFen: 100, principalFen: 5_000 },
      ],
      prepaymentFen: 4_600,
    });
  });

  it('makes everything prepayment when nothing is owed, and skips receivables already paid', () => {
    expect(planAllocation(1_000, [])).toEqual({ lines: [], prepaymentFen: 1_000 });
    expect(planAllocation(1_000, [owed(1, '2025-01', 0, 0), owed(2, '2025-02', 0, 400)])).toEqual({
      lines: [{ receivableId: 2, month: '2025-02', lateFeeFen: 0, principalFen: 400 }],
      prepaymentFen: 600,
    });
  });

  const debts = fc
    .array(fc.record({ lateFeeOwedFen: fc.integer({ min: 0, max: 5_000 }), principalOwedFen: fc.integer({ min: 0, max: 100_000 }) }), { maxLength: 8 })
    .map((items) => items.map((item, index) => owed(index + 1, `2025-${String(index + 1).padStart(2, '0')}`, item.lateFeeOwedFen, item.principalOwedFen)));
  const amount = fc.integer({ min: 1, max: 1_000_000 });

  it('conserves money: the lines and the prepayment add up to the amount, none negative', () => {
    fc.assert(
      fc.property(amount, debts, (fen, items) => {
        const plan = planAllocation(fen, items);
        const allocated = plan.lines.reduce((sum, line) => sum + line.lateFeeFen + line.principalFen, 0);
        expect(allocated + plan.prepaymentFen).toBe(fen);
        expect(plan.prepaymentFen).toBeGreaterThanOrEqual(0);
        for (const line of plan.lines) expect(Math.min(line.lateFeeFen, line.principalFen)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('never pays more than is owed, and leaves prepayment only once every debt is paid', () => {
    fc.assert(
      fc.property(amount, debts, (fen, items) => {
        const plan = planAllocation(fen, items);
        for (const line of plan.lines) {
          const debt = items.find((item) => item.receivableId === line.receivableId)!;
          expect(line.lateFeeFen).toBeLessThanOrEqual(debt.lateFeeOwedFen);
          expect(line.principalFen).toBeLessThanOrEqual(debt.principalOwedFen);
        }
        const totalOwed = items.reduce((sum, item) => sum + item.lateFeeOwedFen + item.principalOwedFen, 0);
        expect(plan.prepaymentFen).toBe(Math.max(0, fen - totalOwed));
      }),
    );
  });

  it('touches a receivable only when every older one is fully paid, and its principal only after its late fee', () => {
    fc.assert(
      fc.property(amount, debts, (fen, items) => {
        const plan = planAllocation(fen, items);
        plan.lines.forEach((line, index) => {
          const debt = items.find((item) => item.receivableId === line.receivableId)!;
          if (line.principalFen > 0) expect(line.lateFeeFen).toBe(debt.lateFeeOwedFen);
          const older = items.filter((item) => item.month < debt.month);
          for (const item of older) {
            const paid = plan.lines.find((candidate) => candidate.receivableId === item.receivableId);
            expect((paid?.lateFeeFen ?? 0) + (paid?.principalFen ?? 0)).toBe(item.lateFeeOwedFen + item.principalOwedFen);
          }
          if (index > 0) expect(plan.lines[index - 1]!.month < line.month).toBe(true);
        });
      }),
    );
  });
});
