import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Run a host command; throws on a non-zero exit unless check is false. */
export function run(cmd: string, args: readonly string[], { check = true } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (check && r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  return r;
}

export function netnsPath(ns: string): string {
  return `/run/netns/${ns}`;
}

export function netnsExists(ns: string): boolean {
  return fs.existsSync(netnsPath(ns));
}

export function netnsAdd(ns: string): void {
  run('ip', ['netns', 'add', ns]);
  run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

export function netnsDelete(ns: string): void {
  run('ip', ['netns', 'del', ns], { check: false });
}

/** Pids of every process inside the namespace. */
export function netnsPids(ns: string): number[] {
  return run('ip', ['netns', 'pids', ns], { check: false }).stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** A tap device inside the namespace carrying `cidr` (the guest's gateway address). */
export function tapAdd(ns: string, dev: string, cidr: string): void {
  run('ip', ['-n', ns, 'tuntap', 'add', 'dev', dev, 'mode', 'tap']);
  run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', dev]);
  run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
}

export function linkDelete(ns: string, dev: string): void {
  run('ip', ['-n', ns, 'link', 'del', dev], { check: false });
}
