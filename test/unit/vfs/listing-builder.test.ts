import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assignCookies,
  type DirEntry,
  fnvCookieHash,
  ListingBuilder,
  type ListingBuilderOptions,
  nameHash,
} from '../../../src/vfs/readdir.js';
import { hasherOf, referenceCookies } from './cookie-reference.js';

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Distinct names of 1 to 40 arbitrary bytes (most of them not UTF-8). */
function randomNames(count: number, seed: number): Buffer[] {
  const next = random(seed);
  const seen = new Set<string>();
  const names: Buffer[] = [];
  while (names.length < count) {
    const name = Buffer.alloc(1 + Math.floor(next() * 40));
    for (let i = 0; i < name.length; i++) name[i] = Math.floor(next() * 256);
    const key = name.toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(name);
  }
  return names;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const next = random(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Names and cookies only, in listing order, so two listings compare as values. */
function shape(entries: readonly DirEntry[]): [string, bigint][] {
  return entries.map((e) => [e.name.toString('hex'), e.cookie]);
}

/** Feeds `names` in chunks of `chunk` (the last one shorter) and finishes asynchronously. */
async function build(names: readonly Buffer[], chunk: number, options: ListingBuilderOptions = {}) {
  const builder = new ListingBuilder(options);
  for (let i = 0; i < names.length; i += chunk) builder.add(names.slice(i, i + chunk));
  return builder.finish();
}

function hashOfCookieHasher(name: Buffer): bigint {
  const halves = new Uint32Array(2);
  fnvCookieHash(name, halves, 0);
  return (BigInt(halves[0]!) << 32n) | BigInt(halves[1]!);
}

describe('the cookie hash in 32-bit halves', () => {
  it('equals nameHash for the empty name, every single byte and random byte strings', () => {
    const names = [
      Buffer.alloc(0),
      ...Array.from({ length: 256 }, (_, byte) => Buffer.from([byte])),
      ...randomNames(5000, 1),
      Buffer.alloc(255, 0xff),
      Buffer.from('caf\u00e9 \u{1f600}'),
    ];
    for (const name of names) assert.equal(hashOfCookieHasher(name), nameHash(name), name.toString('hex'));
  });
});

describe('listing builder', () => {
  it('gives exactly the reference cookies and order for 20,000 random names fed in chunks', async () => {
    const names = randomNames(20_000, 2);
    const expected = shape(referenceCookies(names));
    assert.deepEqual(shape(await build(names, 4096)), expected);
    assert.deepEqual(shape(await build(names, 1000, { sliceMs: 0 })), expected);
    assert.deepEqual(shape(await build(shuffled(names, 3), 777)), expected, 'arrival order does not matter');
  });

  it('gives the reference listing for no names, one name and a few', async () => {
    for (const names of [[], ['only'], ['a', 'b', 'c'], ['..a', '.b', 'z', 'Z', '\u00e9']]) {
      const buffers = names.map((n) => Buffer.from(n));
      const expected = shape(referenceCookies(buffers));
      assert.deepEqual(shape(await build(buffers, 4096)), expected);
      assert.deepEqual(shape(assignCookies(buffers)), expected);
    }
    assert.deepEqual(shape(await build([], 1)), [
      ['2e', 1n],
      ['2e2e', 2n],
    ]);
  });

  it('keeps the reference order for real names whose hashes agree above the bits it replaces', async () => {
    // Found by search: each pair's FNV-1a hashes differ only in their low 12 bits.
    const pairs = [
      ['tie-a5b876', 'tie-3026adf'],
      ['tie-f56ccd', 'tie-370f848'],
      ['tie-f56cde', 'tie-370f817'],
      ['tie-c66ccd', 'tie-323f848'],
      ['tie-c66cde', 'tie-323f817'],
    ].map((pair) => pair.map((n) => Buffer.from(n)));
    for (const [a, b] of pairs) {
      assert.equal(nameHash(a!) >> 12n, nameHash(b!) >> 12n);
      assert.notEqual(nameHash(a!), nameHash(b!));
    }
    // 3,000 names need 12 index bits, so each pair shares a truncated key. Each pair arrives higher
    // hash first: ordered by arrival within that key, it would come out wrong.
    const others = Array.from({ length: 2990 }, (_, i) => Buffer.from(`file-${i}`));
    const names = [...others, ...pairs.flatMap(([a, b]) => [b!, a!])];
    assert.deepEqual(shape(await build(names, 4096)), shape(referenceCookies(names)));
  });

  it('orders names with the same hash by their bytes and gives them the following cookies', async () => {
    const names = shuffled(randomNames(3000, 4), 5);
    const hash = () => 0x1234n;
    const listing = await build(names, 512, { hash: hasherOf(hash) });
    assert.deepEqual(shape(listing), shape(referenceCookies(names, hash)));
    const rest = listing.slice(2);
    for (let i = 1; i < rest.length; i++) {
      assert.equal(Buffer.compare(rest[i - 1]!.name, rest[i]!.name), -1);
      assert.equal(rest[i]!.cookie, rest[i - 1]!.cookie + 1n);
    }
  });

  it('pushes cookies of colliding names past the hashes that follow, as the reference does', async () => {
    // Hashes 0 to 15 collide often, run into each other and into the reserved cookies 0, 1 and 2.
    const names = randomNames(2000, 6);
    const hash = (name: Buffer) => BigInt(name[0]! % 16);
    assert.deepEqual(
      shape(await build(names, 100, { hash: hasherOf(hash) })),
      shape(referenceCookies(names, hash)),
    );
    assert.equal((await build(names, 100, { hash: hasherOf(hash) }))[2]!.cookie, 3n);
  });

  it('carries a cookie past the low 32 bits and past 2^63 when collisions push it there', async () => {
    const names = randomNames(64, 7);
    for (const base of [0xfffffffen, (1n << 63n) - 2n, 0x7fffffff_fffffffdn]) {
      const hash = (name: Buffer) => base + BigInt(name[0]! % 3);
      const listing = await build(names, 10, { hash: hasherOf(hash) });
      assert.deepEqual(shape(listing), shape(referenceCookies(names, hash)));
      assert.equal(listing.at(-1)!.cookie, base + 63n);
    }
  });

  it('sorts long runs of names whose hashes share all but their low bits by full hash, then bytes', async () => {
    // Runs of names whose hashes differ only in their low 10 bits (so many collide fully), among 500
    // names hashed as usual, below and above them. Longer runs than 1,024 are merge-sorted in slices.
    for (const [runLength, seed] of [
      [1025, 11],
      [2049, 12],
      [20_000, 13],
    ] as const) {
      const names = randomNames(500 + runLength, seed);
      const inRun = new Set(names.slice(500).map((n) => n.toString('hex')));
      const hash = (name: Buffer) =>
        inRun.has(name.toString('hex'))
          ? (1n << 62n) | BigInt(name.readUIntBE(0, Math.min(name.length, 2)) & 0x3ff)
          : nameHash(name);
      const shuffledNames = shuffled(names, seed);
      assert.deepEqual(
        shape(await build(shuffledNames, 4096, { hash: hasherOf(hash), sliceMs: 0 })),
        shape(referenceCookies(shuffledNames, hash)),
        `a run of ${runLength}`,
      );
    }
  });

  it('splits ranges too large to sort in one slice even when every hash shares its top bytes', async () => {
    // Every hash starts with the same three bytes: the range-splitting sort must go four bytes deep.
    const names = randomNames(40_000, 9);
    const spread = random(10);
    const low = new Map(names.map((n) => [n.toString('hex'), BigInt(Math.floor(spread() * 2 ** 40))]));
    const hash = (name: Buffer) => (0x7fab01n << 40n) | low.get(name.toString('hex'))!;
    assert.deepEqual(
      shape(await build(names, 4096, { hash: hasherOf(hash) })),
      shape(referenceCookies(names, hash)),
    );
  });

  it('lets the event loop run between slices while it sorts 100,000 names', async () => {
    const names = Array.from({ length: 100_000 }, (_, i) => Buffer.from(`photo-${i}.jpg`));
    let pauses = 0;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const builder = new ListingBuilder({
      sliceMs: 0,
      pause: () => {
        pauses++;
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    for (let i = 0; i < names.length; i += 4096) builder.add(names.slice(i, i + 4096));
    const listing = await builder.finish();
    clearInterval(ticker);
    assert.equal(listing.length, names.length + 2);
    // At least one pause per 4096 names in each pass: keys, sort, order and cookies.
    assert.ok(pauses >= (4 * names.length) / 4096, `${pauses} pauses`);
    assert.ok(ticks > 0, 'a timer ran while the listing was built');
  });

  it('refuses names added after finishing', async () => {
    const builder = new ListingBuilder();
    builder.add([Buffer.from('a')]);
    await builder.finish();
    assert.throws(() => builder.add([Buffer.from('b')]), /after finish/);
  });
});
