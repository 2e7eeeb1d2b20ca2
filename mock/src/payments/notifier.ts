import { randomUUID } from 'node:crypto';

/** One POST of a notification to the merchant and what came back. */
export interface DeliveryAttempt {
  at: string;
  /** The HTTP status, absent when the request failed or timed out. */
  status?: number;
  /** The first 200 characters of the reply body. */
  reply?: string;
  error?: string;
  /** Whether the gateway counts this reply as received (then it stops retrying). */
  acknowledged: boolean;
  elapsedMs: number;
}

/**
 * - `original`: the notification the event caused.
 * - `duplicate`: the same notification again, a (scaled) second later, whatever the first got.
 * - `concurrent`: the same notification again, sent at the same moment as the original.
 * - `stale`: an out-of-order event (an older or contradicting state) sent after the original.
 */
export type DeliveryKind = 'original' | 'duplicate' | 'concurrent' | 'stale';

export interface DeliveryRecord {
  /** Unique per delivery chain (a duplicate has its own). */
  deliveryId: string;
  /** The gateway's id of the notification (WeChat `id`, Alipay `notify_id`); a duplicate shares it. */
  notificationId: string;
  kind: DeliveryKind;
  event: string;
  /** The merchant order number the notification is about. */
  outTradeNo: string;
  url: string;
  state: 'pending' | 'acknowledged' | 'dropped' | 'gave_up';
  attempts: DeliveryAttempt[];
  /** When the next attempt is due, while pending. */
  nextAttemptAt?: string;
  /** The body of the last request sent (or that would have been sent, when dropped). */
  body: string;
}

/** What one attempt sends: signed afresh each time, so a retry hours later still has a current timestamp. */
export interface OutgoingRequest {
  headers: Record<string, string>;
  body: string;
}

export interface NotifierOptions {
  /** Delays between attempts, in milliseconds at scale 1: after the first attempt, the second, … */
  scheduleMs: readonly number[];
  /** The gateway's rule for "the merchant has it". */
  acknowledged(status: number, body: string): boolean;
  timeScale(): number;
  /** How long the gateway waits for an answer (not scaled). */
  timeoutMs: number;
  now(): Date;
}

export interface Notification {
  notificationId: string;
  event: string;
  outTradeNo: string;
  url: string;
  build(): OutgoingRequest;
}

/** How one notification is to be delivered, as the fault knobs decided. */
export interface DeliveryPlan {
  drop?: boolean;
  duplicate?: boolean;
  concurrent?: boolean;
  /** A contradicting notification sent (scaled) a second after the original's first attempt ended. */
  stale?: Notification;
}

const DUPLICATE_GAP_MS = 1000;

/**
 * Delivers gateway notifications to merchants: retried on the gateway's schedule (scaled for tests)
 * until acknowledged or the schedule runs out; every attempt is recorded for tests to read.
 */
export function createNotifier(options: NotifierOptions) {
  const records: DeliveryRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  /** Run once when a delivery's first attempt has ended (the stale follow-up waits for it). */
  const afterFirst = new Map<string, () => void>();
  let closed = false;

  function later(ms: number, action: () => void): void {
    if (closed) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (!closed) action();
      },
      Math.max(0, Math.round(ms * options.timeScale())),
    );
    timer.unref();
    timers.add(timer);
  }

  async function attempt(record: DeliveryRecord, notification: Notification): Promise<void> {
    if (closed) return;
    const request = notification.build();
    record.body = request.body;
    record.nextAttemptAt = undefined;
    const startedAt = Date.now();
    const entry: DeliveryAttempt = { at: options.now().toISOString(), acknowledged: false, elapsedMs: 0 };
    try {
      const response = await fetch(record.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      entry.status = response.status;
      entry.reply = text.slice(0, 200);
      entry.acknowledged = options.acknowledged(response.status, text);
    } catch (err) {
      entry.error = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : err.message) : String(err);
    }
    entry.elapsedMs = Date.now() - startedAt;
    record.attempts.push(entry);
    afterFirst.get(record.deliveryId)?.();
    afterFirst.delete(record.deliveryId);
    if (entry.acknowledged) {
      record.state = 'acknowledged';
      return;
    }
    const delay = options.scheduleMs[record.attempts.length - 1];
    if (delay === undefined) {
      record.state = 'gave_up';
      return;
    }
    record.nextAttemptAt = new Date(options.now().getTime() + delay).toISOString();
    later(delay, () => void attempt(record, notification));
  }

  function start(notification: Notification, kind: DeliveryKind, delayMs: number): DeliveryRecord {
    const record: DeliveryRecord = {
      deliveryId: randomUUID(),
      notificationId: notification.notificationId,
      kind,
      event: notification.event,
      outTradeNo: notification.outTradeNo,
      url: notification.url,
      state: 'pending',
      attempts: [],
      body: '',
    };
    records.push(record);
    if (delayMs === 0) void attempt(record, notification);
    else later(delayMs, () => void attempt(record, notification));
    return record;
  }

  return {
    /** Sends a notification now (and its copies, as planned); returns the original's record. */
    send(notification: Notification, plan: DeliveryPlan = {}): DeliveryRecord {
      if (plan.drop) {
        const record: DeliveryRecord = {
          deliveryId: randomUUID(),
          notificationId: notification.notificationId,
          kind: 'original',
          event: notification.event,
          outTradeNo: notification.outTradeNo,
          url: notification.url,
          state: 'dropped',
          attempts: [],
          body: notification.build().body,
        };
        records.push(record);
        return record;
      }
      const original = start(notification, 'original', 0);
      if (plan.concurrent) start(notification, 'concurrent', 0);
      if (plan.duplicate) start(notification, 'duplicate', DUPLICATE_GAP_MS);
      const stale = plan.stale;
      if (stale) afterFirst.set(original.deliveryId, () => void start(stale, 'stale', DUPLICATE_GAP_MS));
      return original;
    },
    records(filter: { outTradeNo?: string } = {}): DeliveryRecord[] {
      return records.filter((record) => !filter.outTradeNo || record.outTradeNo === filter.outTradeNo);
    },
    close(): void {
      closed = true;
      afterFirst.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
