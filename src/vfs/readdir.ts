import { performance } from 'node:perf_hooks';
import type { Identity } from './types.js';

/** One directory entry in cookie order. `fileid` is filled on first use and kept with the snapshot. */
export interface DirEntry {
  readonly name: Buffer;
  readonly cookie: bigint;
  fileid?: bigint;
}

export interface DirListing {
  /** '.' (cookie 1) and '..' (cookie 2) first, then every other entry by ascending cookie. */
  readonly entries: readonly DirEntry[];
  /** cookieverf3: derived from the directory's mtime, so it is the same after a restart. */
  readonly verifier: Buffer;
}

export const DOT_COOKIE = 1n;
export const DOTDOT_COOKIE = 2n;
const FIRST_FREE_COOKIE = 3n;
const MASK63 = (1n << 63n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/**
 * A cookie that depends only on the name bytes (FNV-1a 64 masked to 63 bits so it stays positive as a
 * signed 64-bit number, skipping 0, 1 and 2). Cookies therefore survive restarts, and resuming after
 * cookie C means "entries whose cookie is above C", which neither skips nor repeats when entries are
 * added or removed between pages.
 */
export function nameHash(name: Buffer): bigint {
  let h = FNV_OFFSET;
  for (const byte of name) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * FNV_PRIME);
  h &= MASK63;
  return h < FIRST_FREE_COOKIE ? h + FIRST_FREE_COOKIE : h;
}

/**
 * The cookie hash of one name, written as two 32-bit halves: the high word at `into[at]`, the low word
 * at `into[at + 1]`. It must equal `nameHash` (tests replace it only to force collisions).
 */
export type CookieHasher = (name: Buffer, into: Uint32Array, at: number) => void;

/**
 * `nameHash` in plain 32-bit numbers, with no BigInt: multiplying by the FNV prime 2^40 + 0x1b3 is the
 * low half times 0x1b3 (its carry goes to the high half), the high half times 0x1b3 (mod 2^32) and the
 * low half shifted into the high half by 40 - 32 = 8 bits.
 */
export const fnvCookieHash: CookieHasher = (name, into, at) => {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < name.length; i++) {
    const x = (lo ^ name[i]!) >>> 0;
    const product = x * 0x1b3; // below 2^41: exact in a double
    lo = product >>> 0;
    hi = (Math.imul(hi, 0x1b3) + ((product / 0x100000000) | 0) + (x << 8)) >>> 0;
  }
  hi &= 0x7fffffff;
  if (hi === 0 && lo < 3) lo += 3;
  into[at] = hi;
  into[at + 1] = lo;
};

/** Orders names by hash (ties by bytes) and gives each a cookie. On a hash collision the later name gets
 * the next free value, so cookies stay unique and strictly increasing; that only shifts the colliding
 * names, which are equally stable while the directory is unchanged. All in one synchronous run: for a
 * listing that may be large, use `ListingBuilder.finish`. */
export function assignCookies(names: readonly Buffer[]): DirEntry[] {
  const builder = new ListingBuilder();
  builder.add(names);
  return builder.finishSync();
}

export interface ListingBuilderOptions {
  /** How long `finish` may run before it lets the event loop go on (default 4 ms). */
  readonly sliceMs?: number;
  /** How `finish` lets the event loop go on (default: until the next setImmediate turn). */
  readonly pause?: () => Promise<void>;
  /** The name hash; the default is `fnvCookieHash`, which is the only one clients may ever see. */
  readonly hash?: CookieHasher;
}

/** Units of work (names hashed, keys moved or sorted) between two chances to pause. */
const STEP = 4096;
/** Ranges up to this many keys are sorted natively in one go (about half a millisecond). */
const DIRECT_SORT = 8192;
/** Names sharing a truncated hash are sorted with a comparator in one go up to this many; more are
 * merge-sorted in slices. */
const MERGE_BLOCK = 1024;
/** Element order of a BigUint64Array seen as a Uint32Array: which word holds the high half. */
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

const pauseForIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Builds what `assignCookies` returns for the names of a directory that arrive in chunks, without
 * holding the event loop: `add` hashes one chunk (a fraction of a millisecond for 4096 names) and
 * `finish` sorts and assigns cookies in slices of about `sliceMs`.
 *
 * The sort key of name i is its 64-bit hash with the low bits replaced by i (as many bits as the
 * largest index needs), so keys are distinct and a BigUint64Array of them sorts natively. Ranges too
 * large for one slice are first distributed by their top byte (then the next) until each fits. Names
 * whose truncated hashes are equal, rare (for a million names, 43 bits remain), are then put in the
 * reference order: full hash, then bytes, then arrival; a run of them too long for one slice, which
 * only crafted names make, is merge-sorted in slices.
 */
export class ListingBuilder {
  private readonly names: Buffer[] = [];
  /** Per name, the high and low halves of its hash. */
  private hashes = new Uint32Array(2 * 64);
  private started = false;
  private readonly sliceMs: number;
  private readonly pause: () => Promise<void>;
  private readonly hash: CookieHasher;

  constructor(options: ListingBuilderOptions = {}) {
    this.sliceMs = options.sliceMs ?? 4;
    this.pause = options.pause ?? pauseForIo;
    this.hash = options.hash ?? fnvCookieHash;
  }

  add(names: readonly Buffer[]): void {
    if (this.started) throw new Error('ListingBuilder: add after finish');
    const first = this.names.length;
    this.reserve(first + names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      this.names.push(name);
      this.hash(name, this.hashes, 2 * (first + i));
    }
  }

  /** '.' and '..', then every name added, in cookie order; the event loop runs between slices. */
  async finish(): Promise<DirEntry[]> {
    const work = this.build();
    let sliceStart = performance.now();
    for (;;) {
      const step = work.next();
      if (step.done) return step.value;
      if (performance.now() - sliceStart >= this.sliceMs) {
        await this.pause();
        sliceStart = performance.now();
      }
    }
  }

  /** The same as `finish` in one synchronous run: only for listings known to be small. */
  finishSync(): DirEntry[] {
    const work = this.build();
    for (;;) {
      const step = work.next();
      if (step.done) return step.value;
    }
  }

  private reserve(count: number): void {
    if (2 * count <= this.hashes.length) return;
    const grown = new Uint32Array(Math.max(2 * count, 2 * this.hashes.length));
    grown.set(this.hashes);
    this.hashes = grown;
  }

  /** Yields after every STEP units of work or so: the caller decides whether to pause there. */
  private *build(): Generator<void, DirEntry[], void> {
    if (this.started) throw new Error('ListingBuilder: finished twice');
    this.started = true;
    const order = yield* referenceOrder(this.names, this.hashes);
    return yield* withCookies(this.names, this.hashes, order);
  }
}

/** Indexes of `names` in the reference order: by hash, then bytes, then arrival. */
function* referenceOrder(names: readonly Buffer[], hashes: Uint32Array): Generator<void, Uint32Array, void> {
  const n = names.length;
  const indexBits = n <= 1 ? 0 : 32 - Math.clz32(n - 1);
  const keys = new BigUint64Array(n);
  const words = new Uint32Array(keys.buffer);
  for (let from = 0; from < n; from += STEP) {
    writeKeys(hashes, words, indexBits, from, Math.min(n, from + STEP));
    yield;
  }
  yield* sortKeys(keys, words);

  // Keys are now ordered by truncated hash, then index; runs sharing a truncated hash are reordered.
  // Hot loops live in plain functions: V8 optimizes a generator's own loops poorly.
  const indexMask = 2 ** indexBits - 1;
  const order = new Uint32Array(n);
  for (let from = 0; from < n; from += STEP) {
    indexesOf(words, indexMask, order, from, Math.min(n, from + STEP));
    yield;
  }
  const byReferenceOrder = (a: number, b: number): number =>
    hashes[2 * a]! - hashes[2 * b]! ||
    hashes[2 * a + 1]! - hashes[2 * b + 1]! ||
    Buffer.compare(names[a]!, names[b]!) ||
    a - b;
  const keep = ~indexMask;
  for (let from = 0; from < n; ) {
    const to = Math.min(n, from + STEP);
    from = sortShortRuns(words, keep, order, from, to, byReferenceOrder);
    if (from < to) {
      // A run too long for one slice: only crafted names (or a crafted hash) make one.
      const end = runEnd(words, keep, from, n);
      yield* mergeSort(order, from, end, byReferenceOrder);
      from = end;
    }
    yield;
  }
  return order;
}

/** '.', '..', then the names in `order`, each with its hash as cookie unless that is not above the
 * previous cookie: then the previous cookie plus one. */
function* withCookies(
  names: readonly Buffer[],
  hashes: Uint32Array,
  order: Uint32Array,
): Generator<void, DirEntry[], void> {
  // Sized once: growing a million-element array copies it and churns the garbage collector.
  const entries = new Array<DirEntry>(order.length + 2);
  entries[0] = { name: Buffer.from('.'), cookie: DOT_COOKIE };
  entries[1] = { name: Buffer.from('..'), cookie: DOTDOT_COOKIE };
  const last = new Uint32Array([0, Number(DOTDOT_COOKIE)]);
  for (let from = 0; from < order.length; from += STEP) {
    entriesWithCookies(names, hashes, order, from, Math.min(order.length, from + STEP), last, entries);
    yield;
  }
  return entries;
}

/** Each cookie is computed in 32-bit halves and read back as a bigint from the same 8 bytes. */
const cookieScratch = new BigUint64Array(1);
const cookieHalves = new Uint32Array(cookieScratch.buffer);

/** Fills entries[from + 2, to + 2) with names[order[from..to)] and their cookies; `last` holds the
 * previous cookie's [high, low]. */
function entriesWithCookies(
  names: readonly Buffer[],
  hashes: Uint32Array,
  order: Uint32Array,
  from: number,
  to: number,
  last: Uint32Array,
  entries: DirEntry[],
): void {
  let lastHi = last[0]!;
  let lastLo = last[1]!;
  for (let i = from; i < to; i++) {
    const index = order[i]!;
    const hi = hashes[2 * index]!;
    const lo = hashes[2 * index + 1]!;
    if (hi > lastHi || (hi === lastHi && lo > lastLo)) {
      lastHi = hi;
      lastLo = lo;
    } else if (lastLo === 0xffffffff) {
      lastHi += 1;
      lastLo = 0;
    } else {
      lastLo += 1;
    }
    cookieHalves[HI] = lastHi;
    cookieHalves[LO] = lastLo;
    entries[i + 2] = { name: names[index]!, cookie: cookieScratch[0]! };
  }
  last[0] = lastHi;
  last[1] = lastLo;
}

/** The name index each sorted key carries in its low bits. */
function indexesOf(
  words: Uint32Array,
  indexMask: number,
  order: Uint32Array,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) order[i] = words[2 * i + LO]! & indexMask;
}

/** Where the run of keys sharing the truncated hash (the bits `keep` selects) of key `start` ends. */
function runEnd(words: Uint32Array, keep: number, start: number, n: number): number {
  const hi = words[2 * start + HI]!;
  const lo = words[2 * start + LO]! & keep;
  let end = start + 1;
  while (end < n && words[2 * end + HI] === hi && (words[2 * end + LO]! & keep) === lo) end++;
  return end;
}

/**
 * Puts each run of keys sharing their truncated hash that starts in [from, to) in the reference order,
 * following a run past `to` if need be; `from` starts a run. Stops at the first run longer than
 * MERGE_BLOCK, left to `mergeSort`. Returns where it stopped: the start of the next run.
 */
function sortShortRuns(
  words: Uint32Array,
  keep: number,
  order: Uint32Array,
  from: number,
  to: number,
  compare: (a: number, b: number) => number,
): number {
  let start = from;
  while (start < to) {
    const end = runEnd(words, keep, start, order.length);
    if (end - start > MERGE_BLOCK) return start;
    if (end - start > 1) sortRun(order, start, end, compare);
    start = end;
  }
  return start;
}

/** Sorts order[start, end) by `compare` in slices: blocks sorted whole, then merged pairwise a few
 * thousand elements at a time (a bottom-up merge sort). */
function* mergeSort(
  order: Uint32Array,
  start: number,
  end: number,
  compare: (a: number, b: number) => number,
): Generator<void, void, void> {
  for (let from = start; from < end; from += MERGE_BLOCK) {
    sortRun(order, from, Math.min(end, from + MERGE_BLOCK), compare);
    yield;
  }
  let source = order.slice(start, end);
  let target = new Uint32Array(end - start);
  for (let width = MERGE_BLOCK; width < source.length; width *= 2) {
    const cursor = { out: 0, left: 0, right: 0 };
    while (cursor.out < source.length) {
      mergeSome(source, target, width, cursor, STEP, compare);
      yield;
    }
    [source, target] = [target, source];
  }
  order.set(source, start);
}

/** Where one merge pass stands: the next output position and the next element of each block. */
interface MergeCursor {
  out: number;
  left: number;
  right: number;
}

/** Goes on with the pass merging `source`'s sorted blocks of `width` pairwise into `target`, for at
 * most `budget` elements. Equal elements keep their order (the left block's first). */
function mergeSome(
  source: Uint32Array,
  target: Uint32Array,
  width: number,
  cursor: MergeCursor,
  budget: number,
  compare: (a: number, b: number) => number,
): void {
  const n = source.length;
  const stop = Math.min(n, cursor.out + budget);
  let { out, left, right } = cursor;
  while (out < stop) {
    const low = out - (out % (2 * width));
    const middle = Math.min(low + width, n);
    const high = Math.min(low + 2 * width, n);
    if (out === low) {
      left = low;
      right = middle;
    }
    const until = Math.min(high, stop);
    while (out < until) {
      if (right >= high || (left < middle && compare(source[left]!, source[right]!) <= 0)) {
        target[out++] = source[left++]!;
      } else {
        target[out++] = source[right++]!;
      }
    }
  }
  cursor.out = out;
  cursor.left = left;
  cursor.right = right;
}

/** Key of name i: its hash with the low `indexBits` bits replaced by i. */
function writeKeys(
  hashes: Uint32Array,
  words: Uint32Array,
  indexBits: number,
  from: number,
  to: number,
): void {
  const keep = ~(2 ** indexBits - 1);
  for (let i = from; i < to; i++) {
    words[2 * i + HI] = hashes[2 * i]!;
    words[2 * i + LO] = (hashes[2 * i + 1]! & keep) | i;
  }
}

/**
 * Sorts distinct keys ascending in slices: a range small enough is sorted natively, a larger one is
 * distributed by the byte at `shift` (most significant first) and its buckets handled the same way.
 * Keys sharing their top 56 bits are at most 256, so the byte at shift 0 is never needed.
 */
function* sortKeys(keys: BigUint64Array, words: Uint32Array): Generator<void, void, void> {
  const scratch = keys.length > DIRECT_SORT ? new Uint32Array(words.length) : words;
  const ranges: number[] = [0, keys.length, 56]; // triples: start, end, shift of the byte to split on
  let sortedSincePause = 0;
  while (ranges.length > 0) {
    const shift = ranges.pop()!;
    const end = ranges.pop()!;
    const start = ranges.pop()!;
    if (end - start <= DIRECT_SORT) {
      if (end - start > 1) keys.subarray(start, end).sort();
      sortedSincePause += end - start;
      if (sortedSincePause >= STEP) {
        sortedSincePause = 0;
        yield;
      }
      continue;
    }
    const word = shift >= 32 ? HI : LO;
    const bit = shift & 31;
    const next = new Uint32Array(257);
    for (let from = start; from < end; from += STEP) {
      countBytes(words, word, bit, from, Math.min(end, from + STEP), next);
      yield;
    }
    next[0] = start;
    for (let b = 1; b <= 256; b++) next[b] += next[b - 1]!;
    const bounds = next.slice();
    for (let from = start; from < end; from += STEP) {
      distribute(words, scratch, word, bit, from, Math.min(end, from + STEP), next);
      yield;
    }
    words.set(scratch.subarray(2 * start, 2 * end), 2 * start);
    for (let b = 0; b < 256; b++) {
      if (bounds[b + 1]! - bounds[b]! > 1) ranges.push(bounds[b]!, bounds[b + 1]!, shift - 8);
    }
    yield;
  }
}

/** Counts keys by byte into `counts[byte + 1]`, ready for a running sum. */
function countBytes(
  words: Uint32Array,
  word: number,
  bit: number,
  from: number,
  to: number,
  counts: Uint32Array,
): void {
  for (let i = from; i < to; i++) counts[((words[2 * i + word]! >>> bit) & 0xff) + 1]++;
}

/** Moves keys to the next free place of their byte's bucket in `scratch`. */
function distribute(
  words: Uint32Array,
  scratch: Uint32Array,
  word: number,
  bit: number,
  from: number,
  to: number,
  next: Uint32Array,
): void {
  for (let i = from; i < to; i++) {
    const at = next[(words[2 * i + word]! >>> bit) & 0xff]!++;
    scratch[2 * at] = words[2 * i]!;
    scratch[2 * at + 1] = words[2 * i + 1]!;
  }
}

/** Puts order[start, end), names whose truncated hashes are equal, in the reference order. */
function sortRun(
  order: Uint32Array,
  start: number,
  end: number,
  compare: (a: number, b: number) => number,
): void {
  order.set(Array.from(order.subarray(start, end)).sort(compare), start);
}

/** Index of the first entry after `cookie` (0 for cookie 0). Works for cookies of entries that have
 * since been removed, too. */
export function startIndex(entries: readonly DirEntry[], cookie: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.cookie <= cookie) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function verifierFromMtime(mtimeNs: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt.asUintN(64, mtimeNs));
  return buf;
}

/** What must be unchanged for a cached listing to still be the directory's content. */
export interface DirVersion {
  readonly ident: Identity;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

interface Snapshot {
  readonly version: DirVersion;
  readonly listing: DirListing;
}

/**
 * Bounded LRU of directory listings, so paging a large directory reads and sorts it once.
 *
 * Memory is bounded by the entries held in all listings together (`maxEntries`, by default room for
 * one 1,000,000-entry directory and others beside it), not by the number of listings alone: the least
 * recently used listings go until the total fits, and a listing larger than the bound is not kept.
 *
 * Timestamps come from a coarse kernel clock: two changes within one tick leave mtime and ctime equal.
 * A listing read while the directory's ctime is that fresh is therefore not cached; once it is older than
 * `freshnessMs`, any later change moves the timestamps and invalidates the snapshot.
 */
export class DirSnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private totalEntries = 0;

  constructor(
    private readonly maxDirs = 64,
    private readonly maxEntries = 2_000_000,
    private readonly freshnessMs = 50,
  ) {}

  get(version: DirVersion): DirListing | undefined {
    const key = keyOf(version.ident);
    const snap = this.snapshots.get(key);
    if (snap === undefined) return undefined;
    if (snap.version.mtimeNs !== version.mtimeNs || snap.version.ctimeNs !== version.ctimeNs) {
      this.drop(key, snap);
      return undefined;
    }
    this.snapshots.delete(key);
    this.snapshots.set(key, snap);
    return snap.listing;
  }

  put(version: DirVersion, listing: DirListing, nowMs: number = Date.now()): void {
    const ageMs = nowMs - Number(version.ctimeNs / 1_000_000n);
    if (ageMs < this.freshnessMs || listing.entries.length > this.maxEntries) return;
    const key = keyOf(version.ident);
    const old = this.snapshots.get(key);
    if (old !== undefined) this.drop(key, old);
    this.snapshots.set(key, { version, listing });
    this.totalEntries += listing.entries.length;
    for (const [k, snap] of this.snapshots) {
      if (this.snapshots.size <= this.maxDirs && this.totalEntries <= this.maxEntries) break;
      this.drop(k, snap);
    }
  }

  private drop(key: string, snap: Snapshot): void {
    this.snapshots.delete(key);
    this.totalEntries -= snap.listing.entries.length;
  }
}

function keyOf(ident: Identity): string {
  return `${ident.dev}:${ident.ino}:${ident.btime}`;
}
