/**
 * CPU and resident memory of whole process groups, read from /proc: every
 * process whose group (field 5 of /proc/<pid>/stat) is a supervised process's
 * group counts, so a wrapper's children (a shell, `npm run`, a forked worker)
 * are charged to it, not lost (process-compose #423 charged the wrapper only).
 *
 * CPU is a delta between two samples, never a lifetime average (process-compose
 * #471): the first sample of a group is a baseline; afterwards each process's
 * utime+stime is compared with its own previous value (a pid is known by its
 * start time, so a recycled pid starts from zero). A process that appeared
 * since the previous sample counts all its ticks: it was born in the window.
 * The per-group total only grows (a Prometheus counter), across restarts too.
 *
 * Hand-written rather than `pidusage` (which repeats the lifetime-average
 * mistake and has no process tree) or `pidtree` (spawns `ps` per call, ~7 ms).
 * Cost: one read of /proc/<pid>/stat per process on the machine (~2 ms for
 * 100) and one /proc/<pid>/statm per group member, only when asked.
 */
import fs from 'node:fs';

/** USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)). */
export const CLOCK_TICKS = 100;

let pageBytes: number | undefined;
/** The page size, found once: /proc/self/statm's resident pages against Node's own RSS (a power of two). */
export function pageSize(): number {
  if (pageBytes !== undefined) return pageBytes;
  pageBytes = 4096;
  try {
    const pages = Number(fs.readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const guess = process.memoryUsage.rss() / pages;
    if (Number.isFinite(guess) && guess > 0) pageBytes = 2 ** Math.round(Math.log2(guess));
  } catch {
    // Not Linux: no /proc, nothing is sampled anyway.
  }
  return pageBytes;
}

/** One process as /proc/<pid>/stat shows it. */
export interface ProcStat {
  readonly pid: number;
  readonly pgid: number;
  /** Field 22, clock ticks since boot: with the pid, names one process for good. */
  readonly start: string;
  /** utime + stime, clock ticks. */
  readonly ticks: number;
}

/** Parse /proc/<pid>/stat; undefined for a zombie or a line that does not parse. */
export function parseStat(pid: number, line: string): ProcStat | undefined {
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  if (fields.length < 20 || fields[0] === 'Z') return undefined;
  const pgid = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(pgid) || !Number.isFinite(ticks)) return undefined;
  return { pid, pgid, start: fields[19]!, ticks };
}

/** Every live process of the given groups, grouped by pgid. */
export function readGroups(pgids: ReadonlySet<number>): Map<number, ProcStat[]> {
  const found = new Map<number, ProcStat[]>();
  if (pgids.size === 0) return found;
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(name);
    let stat: ProcStat | undefined;
    try {
      stat = parseStat(pid, fs.readFileSync(`/proc/${name}/stat`, 'latin1'));
    } catch {
      continue; // Gone since readdir.
    }
    if (!stat || !pgids.has(stat.pgid)) continue;
    const members = found.get(stat.pgid);
    if (members) members.push(stat);
    else found.set(stat.pgid, [stat]);
  }
  return found;
}

/** Resident bytes of one process, 0 when it is gone. */
export function residentBytes(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * pageSize();
  } catch {
    return 0;
  }
}

export interface GroupUsage {
  /** Cores used over the window since the previous sample (0.5 = half a core); null on a first sample. */
  readonly cpu: number | null;
  /** CPU seconds of the group since it was first sampled; only grows. */
  readonly cpuSecondsTotal: number;
  readonly rssBytes: number;
  /** Processes in the group now. */
  readonly processes: number;
}

/**
 * Samples named process groups; keeps what it needs for the next delta. Not
 * reentrant: one sample at a time (callers serialize, resources.ts).
 */
export class GroupSampler {
  /** `${pid}:${start}` → its ticks at the previous sample. */
  private previous = new Map<string, number>();
  /** Names sampled before: their groups' new processes count in full. */
  private known = new Set<string>();
  private totals = new Map<string, number>();
  private lastAt: number | undefined;

  /** `groups`: name → the pgid of its running process (its pid). `now` in ms (performance.now()). */
  sample(groups: ReadonlyMap<string, number>, now: number): Map<string, GroupUsage> {
    const members = readGroups(new Set(groups.values()));
    const windowS = this.lastAt === undefined ? undefined : (now - this.lastAt) / 1000;
    const next = new Map<string, number>();
    const out = new Map<string, GroupUsage>();
    for (const [name, pgid] of groups) {
      const group = members.get(pgid) ?? [];
      const baseline = !this.known.has(name);
      let delta = 0;
      let rss = 0;
      for (const p of group) {
        const key = `${p.pid}:${p.start}`;
        const before = this.previous.get(key);
        if (before !== undefined) delta += Math.max(0, p.ticks - before);
        else if (!baseline) delta += p.ticks;
        next.set(key, p.ticks);
        rss += residentBytes(p.pid);
      }
      this.known.add(name);
      const total = (this.totals.get(name) ?? 0) + delta;
      this.totals.set(name, total);
      out.set(name, {
        cpu: baseline || group.length === 0 || windowS === undefined || windowS <= 0 ? null : delta / CLOCK_TICKS / windowS,
        cpuSecondsTotal: total / CLOCK_TICKS,
        rssBytes: rss,
        processes: group.length,
      });
    }
    // Names not running now keep their totals (a stopped process's counter does not go back).
    for (const name of this.totals.keys()) {
      if (!groups.has(name) && !out.has(name)) out.set(name, { cpu: null, cpuSecondsTotal: this.totals.get(name)! / CLOCK_TICKS, rssBytes: 0, processes: 0 });
    }
    this.previous = next;
    this.lastAt = now;
    return out;
  }

  /** Forget a name (removed from the stack by an apply). */
  forget(name: string): void {
    this.known.delete(name);
    this.totals.delete(name);
  }
}
