import { callJson } from '../http';

/**
 * The metering system (AMI / MDMS): paginated register readings at day and month boundaries,
 * and on-demand re-reads. Values arrive as the meter shows them ("12345.67" kWh, before the
 * multiplier); the billing import validates and converts them.
 */
export interface AmiReading {
  meterNo: string;
  readAt: string;
  total: string;
  sharp?: string;
  peak?: string;
  flat?: string;
  valley?: string;
  reverse?: string;
  /** Business meters: reactive energy (kvarh) and the month's maximum demand (kW), raw, two decimals. */
  reactive?: string;
  maxDemand?: string;
  quality: string;
}

export interface AmiClient {
  /** Every reading in [from, to] (dates, Asia/Shanghai), page by page. */
  readings(query: { interval: 'daily' | 'monthly'; from: string; to: string; meterNo?: string }): AsyncGenerator<AmiReading[]>;
  reread(meterNo: string, readAt: string): Promise<AmiReading>;
}

export function createAmiClient(options: { url: string; apiKey: string; timeoutMs?: number }): AmiClient {
  const call = (path: string, body?: object) =>
    callJson(`${options.url}${path}`, { headers: { Authorization: `Bearer ${options.apiKey}` }, body, timeoutMs: options.timeoutMs ?? 15_000 });
  return {
    async *readings(query) {
      let cursor: string | null = null;
      do {
        const search = new URLSearchParams({ interval: query.interval, from: query.from, to: query.to, limit: '1000' });
        if (query.meterNo) search.set('meterNo', query.meterNo);
        if (cursor) search.set('cursor', cursor);
        const page = (await call(`/v1/readings?${search}`)) as { readings: AmiReading[]; nextCursor: string | null };
        yield page.readings;
        cursor = page.nextCursor;
      } while (cursor);
    },
    async reread(meterNo, readAt) {
      const body = (await call('/v1/reread', { meterNo, readAt })) as { reading: AmiReading };
      return body.reading;
    },
  };
}
