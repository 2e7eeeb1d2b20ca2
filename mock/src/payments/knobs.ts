import type Router from '@koa/router';
import type { Context } from 'koa';
import { json, readRaw } from '../http';
import type { DeliveryPlan, Notification } from './notifier';

/** Counters for "the next N …" faults, set through a peer's `POST /_faults`. */
export type Knobs<Name extends string> = Record<Name, number>;

/** The notification faults both gateways share. */
export const NOTIFICATION_KNOBS = ['dropNotifications', 'duplicateNotifications', 'concurrentNotifications', 'outOfOrderNotifications'] as const;

const nonNegativeInteger = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);

/**
 * Applies a `/_faults` body: fields given are set, fields left out keep their value. Returns an
 * error message for a field that is not a non-negative integer (nothing is changed then).
 */
export function setKnobs<Name extends string>(knobs: Knobs<Name>, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  const fields = body as Record<string, unknown>;
  const names = Object.keys(knobs) as Name[];
  const unknown = Object.keys(fields).find((name) => !names.includes(name as Name));
  if (unknown) return `unknown knob ${unknown}; known: ${names.join(', ')}`;
  const bad = names.find((name) => fields[name] !== undefined && nonNegativeInteger(fields[name]) === undefined);
  if (bad) return `${bad} must be a non-negative integer`;
  for (const name of names) {
    const value = nonNegativeInteger(fields[name]);
    if (value !== undefined) knobs[name] = value;
  }
  return undefined;
}

/** Uses up one count of a "next N" knob; true when it applied. */
export function take<Name extends string>(knobs: Knobs<Name>, name: Name): boolean {
  if (knobs[name] <= 0) return false;
  knobs[name] -= 1;
  return true;
}

/**
 * How the next notification goes out under the notification knobs. `staleVersion` is the
 * contradicting event the out-of-order knob sends after it; without one the knob waits for an event that has one.
 */
export function planDelivery(knobs: Knobs<(typeof NOTIFICATION_KNOBS)[number]>, staleVersion?: () => Notification): DeliveryPlan {
  if (take(knobs, 'dropNotifications')) return { drop: true };
  return {
    duplicate: take(knobs, 'duplicateNotifications'),
    concurrent: take(knobs, 'concurrentNotifications'),
    stale: staleVersion && take(knobs, 'outOfOrderNotifications') ? staleVersion() : undefined,
  };
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** A control endpoint's JSON body; undefined when it is not JSON. */
export async function readJson(ctx: Context): Promise<unknown> {
  try {
    return JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as unknown;
  } catch {
    return undefined;
  }
}

/** Settings a test may change on a running gateway through `POST /_settings`. */
export interface GatewaySettings {
  /** Multiplies the notification retry delays (1 = the real schedule). */
  timeScale: number;
  /** Serve a trade bill for today, which the real gateways only have from the next morning. */
  billsForToday: boolean;
}

/** The test controls both gateways share: `POST /_faults` and `POST /_settings`. */
export function mountTestControls<Name extends string>(router: Router, knobs: Knobs<Name>, settings: GatewaySettings): void {
  router.post('/_faults', async (ctx) => {
    const error = setKnobs(knobs, await readJson(ctx));
    if (error) return json(ctx, 400, { error });
    json(ctx, 200, { ...knobs });
  });

  router.post('/_settings', async (ctx) => {
    const body = ((await readJson(ctx)) ?? {}) as { timeScale?: unknown; billsForToday?: unknown };
    if (body.timeScale !== undefined && (typeof body.timeScale !== 'number' || !(body.timeScale > 0) || body.timeScale > 1))
      return json(ctx, 400, { error: 'timeScale must be a number in (0, 1]' });
    if (body.billsForToday !== undefined && typeof body.billsForToday !== 'boolean') return json(ctx, 400, { error: 'billsForToday must be a boolean' });
    if (typeof body.timeScale === 'number') settings.timeScale = body.timeScale;
    if (typeof body.billsForToday === 'boolean') settings.billsForToday = body.billsForToday;
    json(ctx, 200, { ...settings });
  });
}
