import fs from 'node:fs/promises';
import path from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Fields after a /proc/<pid>/stat line's command name (which may hold spaces): state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14). */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** CPU seconds used so far by the PostgreSQL cluster in `dataDir` (the postmaster, its live children and its reaped ones). */
export async function postgresCpuSeconds(dataDir: string): Promise<number> {
  const postmaster = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  let ticks = 0;
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => ''));
    const pid = Number(entry);
    if (pid !== postmaster && Number(fields[1]) !== postmaster) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    if (pid === postmaster) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds used so far by process `pid` and its reaped children. */
async function processCpuSeconds(pid: number): Promise<number> {
  const fields = statFields(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

export interface CpuUse {
  /** This process: the server's runtime and the benchmark's own client. */
  self: number;
  postgres: number;
  /** The mock peers' process. */
  peers: number;
}

/** Where the CPU went while `work` ran, in seconds. */
export async function cpuDuring<T>(where: { pgDataDir: string; peersPid: number }, work: () => Promise<T>): Promise<{ result: T } & CpuUse> {
  const selfBefore = process.cpuUsage();
  const [pgBefore, peersBefore] = await Promise.all([postgresCpuSeconds(where.pgDataDir), processCpuSeconds(where.peersPid)]);
  const result = await work();
  const self = process.cpuUsage(selfBefore);
  const [pgAfter, peersAfter] = await Promise.all([postgresCpuSeconds(where.pgDataDir), processCpuSeconds(where.peersPid)]);
  return { result, self: (self.user + self.system) / 1e6, postgres: pgAfter - pgBefore, peers: peersAfter - peersBefore };
}

/** "CPU per event: this process 0.120 ms, PostgreSQL 0.030 ms, peers 0.085 ms". */
export const cpuPerItem = (cpu: CpuUse, count: number, item: string) =>
  `CPU per ${item}: this process ${((cpu.self * 1000) / count).toFixed(3)} ms, PostgreSQL ${((cpu.postgres * 1000) / count).toFixed(3)} ms, peers ${((cpu.peers * 1000) / count).toFixed(3)} ms`;
