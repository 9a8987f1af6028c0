import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { now, sleep } from './clock.js';

/**
 * How to recognise the processes of one group this harness started. A process is
 * ours only if it is in the process group AND either lives in our network namespace
 * (server, QEMU) or is the group leader with the start time recorded at spawn
 * (the broker, or any leader before it entered the namespace). pid_max can be as
 * low as 32768, so a recorded pid alone may belong to someone else by now.
 */
export interface OwnedGroup {
  readonly pgid: number;
  readonly leaderStart: string | null;
  readonly netnsIno: number | null;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTime: string;
}

function readStat(pid: number): ProcStat | null {
  let st: string;
  try {
    st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name may contain spaces and parentheses: split after the last ')'
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return { state: f[0] ?? '', pgrp: Number(f[2]), startTime: f[19] ?? '' };
}

function isLive(stat: ProcStat | null): stat is ProcStat {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  return isLive(readStat(pid));
}

/** Start time (clock ticks since boot) of a process: with the pid, it identifies the process. */
export function procStart(pid: number): string | null {
  return readStat(pid)?.startTime ?? null;
}

/** Inode of a namespace file (e.g. /run/netns/NAME or /proc/PID/ns/net). */
export function nsInode(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch {
    return null;
  }
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (isLive(st) && st.pgrp === pgid) out.push(Number(e));
  }
  return out;
}

export function ownedMembers(group: OwnedGroup | null): number[] {
  if (!group) return [];
  return groupPids(group.pgid).filter(
    (p) =>
      (group.netnsIno !== null && nsInode(`/proc/${p}/ns/net`) === group.netnsIno) ||
      (group.leaderStart !== null && p === group.pgid && procStart(p) === group.leaderStart),
  );
}

async function waitGone(group: OwnedGroup, ms: number): Promise<boolean> {
  const t0 = now();
  while (ownedMembers(group).length > 0) {
    if (now() - t0 > ms) return false;
    await sleep(20);
  }
  return true;
}

function signalMembers(group: OwnedGroup, signal: NodeJS.Signals): void {
  // one pid at a time, each checked to be ours: never a group-wide or name-based kill
  for (const p of ownedMembers(group)) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** Signal every member of a group we started and wait until all are gone (escalates to SIGKILL). */
export async function stopGroup(
  group: OwnedGroup | null,
  { signal = 'SIGTERM', graceMs = 5000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (!group || ownedMembers(group).length === 0) return;
  signalMembers(group, signal);
  if (signal !== 'SIGKILL' && (await waitGone(group, graceMs))) return;
  signalMembers(group, 'SIGKILL');
  if (!(await waitGone(group, 5000))) {
    throw new Error(`process group ${group.pgid} still has members after SIGKILL: ${ownedMembers(group)}`);
  }
}

/** Spawn a command as the leader of a new session and process group, output appended to logFile. */
export function spawnDetached(
  argv: readonly string[],
  logFile: string,
  { cwd, env }: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { pid: number; start: string | null } {
  const fd = fs.openSync(logFile, 'a');
  try {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('empty command');
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd,
      env: env ?? process.env,
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not spawn ${cmd}`);
    return { pid: child.pid, start: procStart(child.pid) };
  } finally {
    fs.closeSync(fd);
  }
}

/** TCP ports in LISTEN state in the network namespace of process `pid` (reads /proc, sends nothing). */
export function listeningPorts(pid: number): Set<number> {
  const ports = new Set<number>();
  for (const f of ['tcp', 'tcp6']) {
    let txt: string;
    try {
      txt = fs.readFileSync(`/proc/${pid}/net/${f}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of txt.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      const local = c[1];
      if (c[3] === '0A' && local) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
