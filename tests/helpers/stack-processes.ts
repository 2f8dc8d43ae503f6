/** What of a stack still runs: processes whose working folder is the project, from /proc. */
import fs from 'node:fs';

/** Live (non-zombie) pids whose cwd is `dir` or below it; never this test process. */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
