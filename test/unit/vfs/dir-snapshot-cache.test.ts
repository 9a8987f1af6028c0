import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DirEntry,
  type DirListing,
  DirSnapshotCache,
  type DirVersion,
} from '../../../src/vfs/readdir.js';

const NOW_MS = 1_700_000_000_000;
/** A ctime well past the freshness window, so the listing may be cached. */
const SETTLED_NS = BigInt(NOW_MS - 60_000) * 1_000_000n;

function version(ino: number, mtimeNs = SETTLED_NS): DirVersion {
  return { ident: { dev: 1n, ino: BigInt(ino), btime: 7n }, mtimeNs, ctimeNs: SETTLED_NS };
}

/** A listing of `count` entries; they share one entry object, since only their number matters here. */
function listingOf(count: number): DirListing {
  const entry: DirEntry = { name: Buffer.from('x'), cookie: 3n };
  return { entries: new Array<DirEntry>(count).fill(entry), verifier: Buffer.alloc(8) };
}

describe('directory snapshot cache', () => {
  it('keeps the listing of a directory of 1,000,000 names with its default bounds', () => {
    const cache = new DirSnapshotCache();
    const big = listingOf(1_000_002);
    cache.put(version(1), big, NOW_MS);
    assert.equal(cache.get(version(1)), big);
  });

  it('drops least recently used listings until the entries held fit the bound', () => {
    const cache = new DirSnapshotCache(64, 100, 50);
    const [a, b, c] = [listingOf(40), listingOf(40), listingOf(40)];
    cache.put(version(1), a, NOW_MS);
    cache.put(version(2), b, NOW_MS);
    assert.equal(cache.get(version(1)), a, 'a is now the most recently used');
    cache.put(version(3), c, NOW_MS);
    assert.equal(cache.get(version(2)), undefined, 'b went: 120 entries exceed 100');
    assert.equal(cache.get(version(1)), a);
    assert.equal(cache.get(version(3)), c);
  });

  it('does not keep a listing larger than the bound, and keeps the others', () => {
    const cache = new DirSnapshotCache(64, 100, 50);
    const small = listingOf(10);
    cache.put(version(1), small, NOW_MS);
    cache.put(version(2), listingOf(101), NOW_MS);
    assert.equal(cache.get(version(2)), undefined);
    assert.equal(cache.get(version(1)), small);
  });

  it('counts many small listings by their entries, within the bound on directories', () => {
    const cache = new DirSnapshotCache(3, 1_000, 50);
    for (let ino = 1; ino <= 4; ino++) cache.put(version(ino), listingOf(5), NOW_MS);
    assert.equal(cache.get(version(1)), undefined, 'the fourth directory pushed out the first');
    for (let ino = 2; ino <= 4; ino++) assert.ok(cache.get(version(ino)));
  });

  it('frees the entries of a listing dropped because its directory changed', () => {
    const cache = new DirSnapshotCache(64, 100, 50);
    cache.put(version(1), listingOf(60), NOW_MS);
    assert.equal(cache.get(version(1, SETTLED_NS + 1n)), undefined, 'the mtime moved');
    const [b, c] = [listingOf(60), listingOf(40)];
    cache.put(version(2), b, NOW_MS);
    cache.put(version(3), c, NOW_MS);
    assert.equal(cache.get(version(2)), b, '60 + 40 entries fit once the changed listing is gone');
    assert.equal(cache.get(version(3)), c);
  });

  it('replacing a directory listing counts only the new one', () => {
    const cache = new DirSnapshotCache(64, 100, 50);
    cache.put(version(1), listingOf(90), NOW_MS);
    const fresh = listingOf(90);
    cache.put(version(1), fresh, NOW_MS);
    assert.equal(cache.get(version(1)), fresh);
  });

  it('does not cache a listing read while the directory ctime is within one clock tick', () => {
    const cache = new DirSnapshotCache();
    const fresh: DirVersion = { ...version(1), ctimeNs: BigInt(NOW_MS - 10) * 1_000_000n };
    cache.put(fresh, listingOf(5), NOW_MS);
    assert.equal(cache.get(fresh), undefined);
  });
});
