import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FsOps } from '../src/vfs/fs-ops.js';
import { nativeModule } from '../src/vfs/native.js';
import { asyncFsAt, nativeOps } from '../src/vfs/native-ops.js';
import { portableOps } from '../src/vfs/portable-ops.js';
import { O_DIRECTORY, O_PATH } from '../src/vfs/proc-path.js';

/**
 * `node dist/bench/fs-ops.js [entries] [dir]`: stat throughput of each FsOps implementation (one call at
 * a time, and 32 in flight), then a listing with stats of a directory of `entries` files (100,000 by
 * default, made under `dir`, /dev/shm by default) in chunks of 4096, with the largest gap a 1 ms timer
 * saw meanwhile. Short and bounded: one second per throughput figure.
 */
const entries = Number(process.argv[2] ?? 100_000);
const base = process.argv[3] ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
const SECOND = 1000;

async function statRate(ops: FsOps, dirFd: number, name: Buffer, inFlight: number): Promise<number> {
  let done = 0;
  const until = performance.now() + SECOND;
  const worker = async () => {
    while (performance.now() < until) {
      const got = await ops.stat(dirFd, name);
      if (typeof got === 'string') throw new Error(got);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return done / ((performance.now() - started) / SECOND);
}

async function listing(ops: FsOps, dirFd: number): Promise<{ ms: number; gap: number; names: number }> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  let names = 0;
  let position = 0;
  for (;;) {
    const chunk = await ops.readDir(dirFd, position, 4096, true);
    if (typeof chunk === 'string') throw new Error(chunk);
    names += chunk.names.length;
    if (chunk.done) break;
    position = chunk.next;
  }
  const ms = performance.now() - started;
  clearInterval(timer);
  return { ms, gap, names };
}

async function main(): Promise<void> {
  const addon = asyncFsAt(nativeModule());
  const all: FsOps[] = [portableOps(), ...(addon ? [nativeOps(addon)] : [])];
  const dir = fs.mkdtempSync(path.join(base, 'fs-ops-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const dirFd = fs.openSync(dir, O_PATH | O_DIRECTORY);
    for (const ops of all)
      for (const inFlight of [1, 32]) {
        const rate = await statRate(ops, dirFd, Buffer.from('file'), inFlight);
        console.log(`${ops.kind} stat, ${inFlight} in flight: ${Math.round(rate)} ops/s`);
      }
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < entries; i++) fs.closeSync(fs.openSync(path.join(big, `entry-${i}`), 'w'));
    const bigFd = fs.openSync(big, O_PATH | O_DIRECTORY);
    for (const ops of all) {
      const { ms, gap, names } = await listing(ops, bigFd);
      console.log(
        `${ops.kind} readDir with stats of ${names} entries: ${ms.toFixed(0)} ms, largest timer gap ${gap.toFixed(1)} ms`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
