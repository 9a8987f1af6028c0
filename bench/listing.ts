import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { type CookieHasher, type DirEntry, ListingBuilder } from '../src/vfs/readdir.js';
import { referenceCookies } from '../test/unit/vfs/cookie-reference.js';

/**
 * `node dist/bench/listing.js [count...]` (default 100000 1000000): the previous cookie assignment (one
 * synchronous run: BigInt FNV-1a, BigInt comparator sort) against `ListingBuilder` fed 4096 names per
 * turn of the event loop, as a directory read arrives. Reports total times, the longest `add`, the
 * longest slice of `finish` (wall and process CPU time: on a busy machine a slice's wall time also
 * counts the waits for a core), the event loop's worst delay meanwhile (garbage collection included),
 * CPU times, and checks both give the same listing. Then the builder alone on names made to share
 * their truncated hashes (one run sorted with comparisons). JSON lines.
 */
const CHUNK = 4096;

function namesOf(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`IMG_${String(i).padStart(7, '0')}.jpg`));
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A hash as crafted names could give: all share every bit above the low 10, many collide fully. */
const oneLongRun: CookieHasher = (name, into, at) => {
  into[at] = 0x40000000;
  into[at + 1] = (name[name.length - 5]! * 31 + name[name.length - 6]!) & 0x3ff;
};

async function buildInTurns(names: readonly Buffer[], hash?: CookieHasher) {
  let longestAddMs = 0;
  let longestSliceMs = 0;
  let longestSliceCpuMs = 0;
  let slices = 0;
  let sliceStart = 0;
  let sliceCpu = process.cpuUsage();
  const endSlice = () => {
    longestSliceMs = Math.max(longestSliceMs, performance.now() - sliceStart);
    longestSliceCpuMs = Math.max(longestSliceCpuMs, cpuMsSince(sliceCpu));
    slices++;
  };
  const startSlice = () => {
    sliceStart = performance.now();
    sliceCpu = process.cpuUsage();
  };
  const builder = new ListingBuilder({
    hash,
    pause: async () => {
      endSlice();
      await nextTurn();
      startSlice();
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
  startSlice();
  const entries = await builder.finish();
  const end = performance.now();
  endSlice();
  delay.disable();
  return {
    cpuMs: cpuMsSince(cpu),
    entries,
    addMs: added - start,
    finishMs: end - added,
    longestAddMs,
    longestSliceMs,
    longestSliceCpuMs,
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
        longestFinishSliceCpuMs: round(built.longestSliceCpuMs),
        finishSlices: built.slices,
        eventLoopDelayMaxMs: round(built.loopDelayMaxMs),
        identical: sameListing(built.entries, reference),
      }),
    );
    const crafted = await buildInTurns(names, oneLongRun);
    console.log(
      JSON.stringify({
        names: count,
        craftedOneRun: true,
        builderFinishMs: round(crafted.finishMs),
        longestFinishSliceMs: round(crafted.longestSliceMs),
        longestFinishSliceCpuMs: round(crafted.longestSliceCpuMs),
        finishSlices: crafted.slices,
        eventLoopDelayMaxMs: round(crafted.loopDelayMaxMs),
      }),
    );
  }
}

await main();
