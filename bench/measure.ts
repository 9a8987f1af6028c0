import { performance } from 'node:perf_hooks';

/** Every benchmark stops at whichever limit it reaches first, so a slow machine cannot hang the run. */
export interface Bounds {
  readonly maxMs: number;
  readonly maxIterations: number;
}

export interface Throughput {
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly nsPerOp: number;
}

export interface Latency {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

const CLOCK_CHECK_EVERY = 64;

function throughput(ops: number, ms: number): Throughput {
  const seconds = ms / 1000;
  return { ops, seconds, opsPerSec: ops / seconds, nsPerOp: (ms * 1e6) / Math.max(ops, 1) };
}

/**
 * Runs a synchronous operation in a tight loop: a short warm-up (so the JIT has compiled it), then
 * until a bound is hit. The clock is read only every few iterations so it does not dominate tiny ops.
 */
export function loopSync(op: () => void, bounds: Bounds): Throughput {
  const warmUntil = performance.now() + Math.min(200, bounds.maxMs / 10);
  while (performance.now() < warmUntil) for (let i = 0; i < CLOCK_CHECK_EVERY; i++) op();
  const start = performance.now();
  const deadline = start + bounds.maxMs;
  let ops = 0;
  let now = start;
  while (ops < bounds.maxIterations && now < deadline) {
    for (let i = 0; i < CLOCK_CHECK_EVERY; i++) op();
    ops += CLOCK_CHECK_EVERY;
    now = performance.now();
  }
  return throughput(ops, now - start);
}

/** The nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function latencyOf(samplesUs: Float64Array): Latency {
  const sorted = samplesUs.slice().sort();
  return {
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
    maxUs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/**
 * Keeps `queueDepth` calls of an asynchronous operation in flight until a bound is hit, timing each
 * call from issue to completion. `op(i)` gets the call's sequence number (for rotating through names).
 */
export async function loopAsync(
  op: (i: number) => Promise<void>,
  queueDepth: number,
  bounds: Bounds,
): Promise<Throughput & Latency> {
  const samples = new Float64Array(bounds.maxIterations);
  const start = performance.now();
  const deadline = start + bounds.maxMs;
  let issued = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (issued < bounds.maxIterations && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      await op(i);
      samples[done++] = (performance.now() - t0) * 1000;
    }
  };
  await Promise.all(Array.from({ length: queueDepth }, lane));
  const ms = performance.now() - start;
  return { ...throughput(done, ms), ...latencyOf(samples.subarray(0, done)) };
}

/** Runs a phase once and reports its wall time (for size-bound work such as a whole-file transfer). */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - t0) / 1000 };
}
