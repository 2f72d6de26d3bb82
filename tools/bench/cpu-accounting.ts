import { readFileSync } from 'node:fs';

/** Linux reports process and machine CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

export interface CpuSnapshot {
  /** Busy and total CPU time of the whole machine, all cores, in ms. */
  readonly machineBusyMs: number;
  readonly machineTotalMs: number;
  /** The part of busy time the hypervisor gave to other guests (steal): no process here ran. */
  readonly machineStealMs: number;
  /** CPU time of each watched process, in ms. */
  readonly byPid: ReadonlyMap<number, number>;
}

/** Where a run's CPU went, from two snapshots: who used what, and what the rest of the machine did. */
export interface CpuSplit {
  readonly machineBusyPct: number;
  /** Of the machine's time, how much the hypervisor took for other guests: a run with much of it is slowed from outside. */
  readonly machineStealPct: number;
  readonly groupsMs: Readonly<Record<string, number>>;
  /** Busy time of processes outside the groups (other work on this machine, the kernel), steal not counted. */
  readonly othersMs: number;
}

/** Parses a `/proc/stat` first line: busy = user + nice + system + irq + softirq + steal. */
export function parseMachineLine(line: string): { busy: number; total: number; steal: number } {
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, steal };
}

/** utime + stime from a `/proc/<pid>/stat` line (fields 14 and 15; the name may hold spaces). */
export function parseProcessTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** A snapshot, or null where /proc is not there (not Linux): the figures are then left out. */
export function snapshot(pids: readonly number[]): CpuSnapshot | null {
  try {
    const machine = parseMachineLine(readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '');
    const byPid = new Map<number, number>();
    for (const pid of pids) {
      try {
        byPid.set(pid, parseProcessTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * TICK_MS);
      } catch {
        // The process has exited; its time is lost to the split.
      }
    }
    return { machineBusyMs: machine.busy * TICK_MS, machineTotalMs: machine.total * TICK_MS, machineStealMs: machine.steal * TICK_MS, byPid };
  } catch {
    return null;
  }
}

export function split(before: CpuSnapshot, after: CpuSnapshot, groups: Readonly<Record<string, readonly number[]>>): CpuSplit {
  const groupsMs: Record<string, number> = {};
  let grouped = 0;
  for (const [name, pids] of Object.entries(groups)) {
    let ms = 0;
    for (const pid of pids) ms += Math.max(0, (after.byPid.get(pid) ?? 0) - (before.byPid.get(pid) ?? 0));
    groupsMs[name] = ms;
    grouped += ms;
  }
  const busy = after.machineBusyMs - before.machineBusyMs;
  const total = after.machineTotalMs - before.machineTotalMs;
  const steal = after.machineStealMs - before.machineStealMs;
  const pct = (ms: number): number => (total > 0 ? Math.round((100 * ms) / total) : 0);
  return { machineBusyPct: pct(busy), machineStealPct: pct(steal), groupsMs, othersMs: Math.max(0, busy - steal - grouped) };
}
