import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by the processes whose command name is `comm` (Linux /proc). */
function cpuSecondsOf(comm: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The name sits in parentheses and may hold spaces; the counters follow it.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Where the CPU went while `work` ran: this process (the server's runtime and the benchmark's
 * client), every PostgreSQL process, and everything else named `node` (the mock peers' process).
 */
export async function cpuDuring<T>(work: () => Promise<T>): Promise<{ result: T; self: number; postgres: number; otherNode: number }> {
  const selfBefore = process.cpuUsage();
  const pgBefore = cpuSecondsOf('postgres');
  const nodeBefore = cpuSecondsOf('node');
  const result = await work();
  const self = process.cpuUsage(selfBefore);
  const selfSeconds = (self.user + self.system) / 1e6;
  return {
    result,
    self: selfSeconds,
    postgres: cpuSecondsOf('postgres') - pgBefore,
    otherNode: Math.max(0, cpuSecondsOf('node') - nodeBefore - selfSeconds),
  };
}

/** "node 1.2 ms, PostgreSQL 0.8 ms, peers 0.4 ms per event" for a `cpuDuring` figure over `count` items. */
export const cpuPerItem = (cpu: { self: number; postgres: number; otherNode: number }, count: number, item: string) =>
  `CPU per ${item}: this process ${((cpu.self * 1000) / count).toFixed(3)} ms, PostgreSQL ${((cpu.postgres * 1000) / count).toFixed(3)} ms, peers ${((cpu.otherNode * 1000) / count).toFixed(3)} ms`;
