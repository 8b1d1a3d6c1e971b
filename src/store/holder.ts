import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { LockOwner, ProcessIdentity } from './types.ts';

export type { LockOwner, LockTakeover, ProcessIdentity } from './types.ts';
export { describeOwner } from './types.ts';

/** The start of process `pid` on this host, or null when no such process runs (or cannot be told). */
export function processStartOf(pid: number): string | null | 'unknown' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) follows the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks === undefined ? 'unknown' : `boot+${ticks}`;
  } catch (error) {
    const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT' || code === 'ESRCH') return existsByProcStatAbsent(pid);
    return 'unknown';
  }
}

/** Where /proc exists, a missing /proc/PID means no such process; elsewhere ask the kernel. */
function existsByProcStatAbsent(pid: number): string | null | 'unknown' {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return null;
  } catch {
    try {
      process.kill(pid, 0);
      return 'unknown';
    } catch (error) {
      const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
      return code === 'ESRCH' ? null : 'unknown';
    }
  }
}

let own: ProcessIdentity | null = null;

/** This process, as a lock records it. */
export function currentProcess(): ProcessIdentity {
  if (own) return own;
  const start = processStartOf(process.pid);
  // Without /proc, the start to the second is as good as this host can tell.
  const startedAt = typeof start === 'string' && start !== 'unknown'
    ? start
    : new Date(Math.round((Date.now() - process.uptime() * 1000) / 1000) * 1000).toISOString();
  own = { host: hostname(), pid: process.pid, startedAt };
  return own;
}

/**
 * True only when the holder provably no longer runs: it was on this host and its pid is gone,
 * or that pid now belongs to a process started at another time. A holder on another host is
 * never provably gone from here (its lock waits for the heartbeat TTL).
 */
export function processIsGone(holder: ProcessIdentity, self: ProcessIdentity = currentProcess()): boolean {
  if (holder.host !== self.host) return false;
  if (holder.pid === self.pid) return holder.startedAt !== self.startedAt;
  const start = processStartOf(holder.pid);
  if (start === null) return true;
  if (start === 'unknown') return false;
  return holder.startedAt.startsWith('boot+') ? start !== holder.startedAt : false;
}
