import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { type DirEntry, ListingBuilder } from '../src/vfs/readdir.js';
import { referenceCookies } from '../test/unit/vfs/cookie-reference.js';

/**
 * `node dist/bench/listing.js [count...]` (default 100000 1000000): the previous cookie assignment (one
 * synchronous run: BigInt FNV-1a, BigInt comparator sort) against `ListingBuilder` fed 4096 names per
 * turn of the event loop, as a directory read arrives. Reports total times, the longest `add`, the
 * longest slice of `finish` and the event loop's worst delay meanwhile (garbage collection included),
 * CPU times, and checks both give the same listing. One JSON line per count.
 */
const CHUNK = 4096;

function namesOf(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`IMG_${String(i).padStart(7, '0')}.jpg`));
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function buildInTurns(names: readonly Buffer[]) {
  let longestAddMs = 0;
  let longestSliceMs = 0;
  let slices = 0;
  let sliceStart = 0;
  const builder = new ListingBuilder({
    pause: async () => {
      longestSliceMs = Math.max(longestSliceMs, performance.now() - sliceStart);
      slices++;
      await nextTurn();
      sliceStart = performance.now();
    },
  });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < names.length; i += CHUNK) {
    const chunk = names.slice(i, i + CHUNK);
    const before = performance.now();
    builder.add(chunk);
    longestAddMs = Math.max(longestAddMs, performance.now() - before);
    await nextTurn();
  }
  const added = performance.now();
  sliceStart = added;
  const entries = await builder.finish();
  const end = performance.now();
  longestSliceMs = Math.max(longestSliceMs, end - sliceStart);
  slices++;
  delay.disable();
  return {
    cpuMs: cpuMsSince(cpu),
    entries,
    addMs: added - start,
    finishMs: end - added,
    longestAddMs,
    longestSliceMs,
    slices,
    loopDelayMaxMs: delay.max / 1e6,
  };
}

function sameListing(a: readonly DirEntry[], b: readonly DirEntry[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e, i) => e.cookie === b[i]!.cookie && e.name.equals(b[i]!.name));
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** CPU time this process used since `start`: on a shared machine, wall time also counts waiting. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const counts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100_000, 1_000_000];
  for (const count of counts) {
    const names = namesOf(count);
    await buildInTurns(namesOf(Math.min(count, 50_000))); // warm up the JIT
    const built = await buildInTurns(names);
    const cpu = process.cpuUsage();
    const before = performance.now();
    const reference = referenceCookies(names);
    const referenceMs = performance.now() - before;
    const referenceCpuMs = cpuMsSince(cpu);
    console.log(
      JSON.stringify({
        names: count,
        previousSyncMs: round(referenceMs),
        previousCpuMs: round(referenceCpuMs),
        builderAddMs: round(built.addMs),
        builderFinishMs: round(built.finishMs),
        builderCpuMs: round(built.cpuMs),
        longestAddMs: round(built.longestAddMs),
        longestFinishSliceMs: round(built.longestSliceMs),
        finishSlices: built.slices,
        eventLoopDelayMaxMs: round(built.loopDelayMaxMs),
        identical: sameListing(built.entries, reference),
      }),
    );
  }
}

await main();
