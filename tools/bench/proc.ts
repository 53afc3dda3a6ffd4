/** Reading /proc: child processes, their environment, CPU time and memory (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck: number | undefined;
/** Clock ticks per second of the utime/stime counters (USER_HZ, normally 100). */
export function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the `(comm)` field; index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] | null {
  const s = read(`/proc/${pid}/stat`);
  if (!s) return null;
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

export function alive(pid: number): boolean {
  const f = statFields(pid);
  return !!f && f[0] !== 'Z' && f[0] !== 'X';
}

/** utime + stime of a process (all its threads) in clock ticks; null when it is gone. */
export function cpuTicks(pid: number | 'self'): number | null {
  const f = statFields(pid);
  if (!f) return null;
  return Number(f[11]) + Number(f[12]); // fields 14 (utime) and 15 (stime)
}

/** VmRSS and VmHWM (peak RSS) in kB from /proc/<pid>/status. */
export function memory(pid: number): { rssKb: number; hwmKb: number } | null {
  const s = read(`/proc/${pid}/status`);
  if (!s) return null;
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

export function environ(pid: number): Record<string, string> {
  const s = read(`/proc/${pid}/environ`) ?? '';
  const out: Record<string, string> = {};
  for (const kv of s.split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function cmdline(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
}

/** Direct children of `ppid`. */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === ppid) out.push(Number(name));
  }
  return out;
}

/** Busy and total clock ticks of the whole machine (all CPUs), from the first line of /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const line = (read('/proc/stat') ?? 'cpu 0').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** Pids of processes by command name (`comm`, e.g. `mariadbd`); the first match per name. */
export function pidsByComm(names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = read(`/proc/${entry}/stat`);
    const comm = s ? s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')) : '';
    if (names.includes(comm) && !(comm in out)) out[comm] = Number(entry);
  }
  return out;
}
