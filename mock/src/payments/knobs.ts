import type { Context } from 'koa';
import { readRaw } from '../http';
import type { DeliveryPlan, Notification } from './notifier';

/** Counters for "the next N …" faults, set through a peer's `POST /_faults`. */
export type Knobs<Name extends string> = Record<Name, number>;

/** The notification faults both gateways share. */
export const NOTIFICATION_KNOBS = ['dropNotifications', 'duplicateNotifications', 'concurrentNotifications', 'outOfOrderNotifications'] as const;

const nonNegativeInteger = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

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
