import { describe, expect, it } from 'vitest';
import { CATALOG, REQUEST_TYPES, transition, TransitionRefused, type OrderState, type RequestType } from '../../shared/requests/catalog';

const start = (type: RequestType): OrderState => ({ kind: 'stage', stage: CATALOG[type].stages[0]!.key });
const totalWorkdays = (type: RequestType) => CATALOG[type].stages.reduce((sum, stage) => sum + ('workdays' in stage.limit ? stage.limit.workdays : 0), 0);

describe('request catalog', () => {
  it('defines every type with stages that start at acceptance and positive limits', () => {
    expect(Object.keys(CATALOG).sort()).toEqual([...REQUEST_TYPES].sort());
    for (const type of REQUEST_TYPES) {
      const { stages } = CATALOG[type];
      expect(stages[0]!.key, type).toBe('accepted');
      expect(new Set(stages.map((stage) => stage.key)).size, type).toBe(stages.length);
      for (const stage of stages) expect(Object.values(stage.limit)[0], `${type}/${stage.key}`).toBeGreaterThan(0);
    }
  });

  it('keeps the handbook time limits for new connections', () => {
    // Low voltage without external works: the whole process within 5 working days.
    expect(totalWorkdays('lv_residential_connection')).toBe(5);
    expect(totalWorkdays('lv_business_connection')).toBe(5);
    const hv = Object.fromEntries(CATALOG.hv_connection.stages.map((stage) => [stage.key, stage.limit]));
    expect(hv).toMatchObject({
      supply_plan: { workdays: 15 },
      design_review: { workdays: 10 },
      mid_inspection: { workdays: 5 },
      completion_inspection: { workdays: 5 },
      install_connect: { workdays: 5 },
    });
    expect(CATALOG.fault_repair.stages.every((stage) => 'hours' in stage.limit)).toBe(true);
  });
});

describe('stage machine', () => {
  it.each(REQUEST_TYPES.map((type) => [type]))('walks %s through every stage to completion, one at a time', (type) => {
    let state = start(type);
    const visited = [(state as { stage: string }).stage];
    for (let step = 1; step < CATALOG[type].stages.length; step += 1) {
      state = transition(type, state, { action: 'advance' });
      visited.push((state as { stage: string }).stage);
    }
    expect(visited).toEqual(CATALOG[type].stages.map((stage) => stage.key));
    expect(transition(type, state, { action: 'complete' })).toEqual({ kind: 'completed' });
    expect(transition(type, state, { action: 'advance' })).toEqual({ kind: 'completed' });
  });

  it('waits for requested documents and refuses to move on without them', () => {
    const waiting = transition('hv_connection', start('hv_connection'), { action: 'request_documents' });
    expect(waiting).toEqual({ kind: 'awaiting_documents', stage: 'accepted' });
    expect(() => transition('hv_connection', waiting, { action: 'advance' })).toThrow(TransitionRefused);
    expect(() => transition('hv_connection', waiting, { action: 'request_documents' })).toThrow(/already requested/);
    const resumed = transition('hv_connection', waiting, { action: 'documents_supplied' });
    expect(resumed).toEqual({ kind: 'stage', stage: 'accepted' });
    expect(() => transition('hv_connection', resumed, { action: 'documents_supplied' })).toThrow(/no documents/);
  });

  it('lets customers cancel only before work starts, staff at any open stage, and ended orders do nothing', () => {
    const surveyed = transition('hv_connection', start('hv_connection'), { action: 'advance' });
    expect(transition('hv_connection', start('hv_connection'), { action: 'cancel', by: 'customer' })).toEqual({ kind: 'cancelled' });
    expect(() => transition('hv_connection', surveyed, { action: 'cancel', by: 'customer' })).toThrow(/work has started/);
    expect(transition('hv_connection', surveyed, { action: 'cancel', by: 'staff' })).toEqual({ kind: 'cancelled' });
    expect(transition('hv_connection', surveyed, { action: 'close' })).toEqual({ kind: 'closed' });
    expect(() => transition('hv_connection', surveyed, { action: 'complete' })).toThrow(/only the last stage/);
    for (const ended of [{ kind: 'completed' }, { kind: 'cancelled' }, { kind: 'closed' }] as OrderState[]) {
      for (const action of [{ action: 'advance' }, { action: 'close' }, { action: 'cancel', by: 'staff' }] as const) {
        expect(() => transition('complaint', ended, action)).toThrow(TransitionRefused);
      }
    }
    expect(() => transition('complaint', { kind: 'stage', stage: 'survey' }, { action: 'advance' })).toThrow(/unknown stage/);
  });
});
