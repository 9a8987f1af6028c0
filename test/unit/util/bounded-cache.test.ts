import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache, type EvictReason } from '../../../src/util/bounded-cache.js';

/** A cache of strings that records what left it and why. */
function recording(capacity: number) {
  const left: string[] = [];
  const cache = new BoundedCache<string, string>({
    capacity,
    onEvict: (key, value, reason: EvictReason) => left.push(`${reason} ${key}=${value}`),
  });
  return { cache, left };
}

describe('BoundedCache', () => {
  it('keeps at most its capacity, evicting the oldest entry nobody used', () => {
    const { cache, left } = recording(3);
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, k.toUpperCase());
    assert.equal(cache.size, 3);
    assert.deepEqual(left, ['evicted a=A']);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('d'), 'D');
  });

  it('spares an entry used since the hand last passed, once (second chance)', () => {
    const { cache, left } = recording(3);
    for (const k of ['a', 'b', 'c']) cache.set(k, k);
    cache.get('a');
    cache.set('d', 'd');
    assert.deepEqual(left, ['evicted b=b'], 'a was used, so b went first');
    cache.set('e', 'e');
    cache.set('f', 'f');
    assert.deepEqual(
      left,
      ['evicted b=b', 'evicted c=c', 'evicted a=a'],
      'a is not spared twice for one use',
    );
  });

  it('evicts even when every entry was used: the hand clears them all and comes round', () => {
    const { cache, left } = recording(2);
    cache.set('a', 'a');
    cache.set('b', 'b');
    cache.get('a');
    cache.get('b');
    cache.set('c', 'c');
    assert.deepEqual(left, ['evicted a=a']);
    assert.equal(cache.size, 2);
  });

  it('reads without marking with peek, so a peeked entry is not spared', () => {
    const { cache, left } = recording(2);
    cache.set('a', 'a');
    cache.set('b', 'b');
    assert.equal(cache.peek('a'), 'a');
    cache.set('c', 'c');
    assert.deepEqual(left, ['evicted a=a']);
  });

  it('never evicts a pinned entry, and holds more than its capacity while that many are pinned', () => {
    const { cache, left } = recording(2);
    cache.set('a', 'a');
    const unpinA = cache.pin('a')!;
    cache.set('b', 'b');
    const unpinB = cache.pin('b')!;
    cache.set('c', 'c');
    const unpinC = cache.pin('c')!;
    assert.equal(cache.size, 3);
    assert.deepEqual(left, []);
    assert.ok(cache.isPinned('a'));
    unpinA();
    assert.deepEqual(left, ['evicted a=a'], 'shrinks back once an entry is released');
    unpinB();
    unpinC();
    assert.equal(cache.size, 2);
    assert.equal(cache.isPinned('b'), false);
  });

  it('counts pins: an entry pinned twice stays pinned until both are released, each only once', () => {
    const { cache } = recording(1);
    cache.set('a', 'a');
    const first = cache.pin('a')!;
    const second = cache.pin('a')!;
    first();
    first();
    assert.ok(cache.isPinned('a'), 'releasing the same pin twice counts once');
    second();
    assert.equal(cache.isPinned('a'), false);
  });

  it('gives no pin for a key it does not hold', () => {
    const { cache } = recording(4);
    assert.equal(cache.pin('missing'), undefined);
  });

  it('keeps the pins of a key whose value is replaced, and reports the old value', () => {
    const { cache, left } = recording(1);
    cache.set('a', 'v1');
    const unpin = cache.pin('a')!;
    cache.set('a', 'v2');
    cache.set('b', 'b');
    assert.equal(cache.get('a'), 'v2', 'still pinned after the replacement');
    assert.deepEqual(left, ['replaced a=v1']);
    cache.set('a', 'v2');
    assert.deepEqual(left, ['replaced a=v1'], 'setting the very same value reports nothing');
    unpin();
  });

  it('does not let a pin of a deleted entry release the entry cached under the same key later', () => {
    const { cache } = recording(4);
    cache.set('a', 'old');
    const oldPin = cache.pin('a')!;
    assert.ok(cache.delete('a'));
    cache.set('a', 'new');
    const newPin = cache.pin('a')!;
    oldPin();
    assert.ok(cache.isPinned('a'));
    newPin();
    assert.equal(cache.get('a'), 'new');
  });

  it('reports deleted and cleared values, a pinned one once its last pin is released', () => {
    const { cache, left } = recording(4);
    cache.set('a', 'a');
    cache.set('b', 'b');
    cache.set('c', 'c');
    const unpinC = cache.pin('c')!;
    cache.delete('a');
    assert.equal(cache.delete('a'), false);
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.get('c'), undefined, 'a cleared entry is gone at once, pinned or not');
    assert.deepEqual(left.sort(), ['cleared b=b', 'deleted a=a'], 'c is still in use: not reported yet');
    unpinC();
    assert.deepEqual(left.sort(), ['cleared b=b', 'cleared c=c', 'deleted a=a']);
  });

  it('closes a descriptor-like value only after its users let go, even when deleted under them', () => {
    const closed: number[] = [];
    const descriptors = new BoundedCache<string, number>({
      capacity: 8,
      onEvict: (_key, fd) => closed.push(fd),
    });
    descriptors.set('/a', 7);
    const inUse = descriptors.pin('/a')!;
    descriptors.delete('/a');
    descriptors.set('/a', 9);
    assert.deepEqual(closed, [], 'the old descriptor is still being used');
    inUse();
    assert.deepEqual(closed, [7]);
    assert.equal(descriptors.isPinned('/a'), false, 'the new entry was never pinned');
  });

  it('keeps nothing with capacity 0', () => {
    const { cache, left } = recording(0);
    cache.set('a', 'a');
    assert.equal(cache.size, 0);
    assert.equal(cache.get('a'), undefined);
    assert.deepEqual(left, []);
  });

  it('shrinks to a limit on request, leaving pinned entries alone', () => {
    const { cache } = recording(10);
    for (const k of 'abcdef') cache.set(k, k);
    cache.pin('a');
    cache.pin('b');
    assert.equal(cache.evictTo(0), 4);
    assert.deepEqual([...cache.keys()].sort(), ['a', 'b']);
  });

  it('lets a caller delete entries while iterating over them (an idle sweep)', () => {
    const { cache } = recording(10);
    for (const k of 'abcd') cache.set(k, k);
    for (const [k] of cache.entries()) if (k !== 'c') cache.delete(k);
    assert.deepEqual([...cache.keys()], ['c']);
  });

  it('refuses a capacity that is not a whole number', () => {
    assert.throws(() => new BoundedCache({ capacity: -1 }), RangeError);
    assert.throws(() => new BoundedCache({ capacity: 1.5 }), RangeError);
  });

  it('stays within its bounds and keeps every pinned entry through a long random workload', () => {
    const capacity = 50;
    const evicted = new Set<number>();
    const cache = new BoundedCache<number, number>({
      capacity,
      onEvict: (key, _v, reason) => {
        if (reason === 'evicted') evicted.add(key);
      },
    });
    const pins = new Map<number, (() => void)[]>();
    const latest = new Map<number, number>();
    let x = 0x2545f491;
    const random = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const key = random(200);
      const op = random(10);
      if (op < 5) {
        cache.set(key, step);
        latest.set(key, step);
      } else if (op < 7) {
        const v = cache.get(key);
        if (v !== undefined) assert.equal(v, latest.get(key));
      } else if (op < 8) {
        const unpin = cache.pin(key);
        if (unpin) pins.set(key, [...(pins.get(key) ?? []), unpin]);
      } else if (op < 9) {
        pins.get(key)?.pop()?.();
      } else cache.delete(key);
      if (op === 9) pins.delete(key);
      for (const [k, held] of pins) {
        if (held.length > 0) assert.ok(cache.has(k), `pinned key ${k} was evicted at step ${step}`);
      }
      const pinnedCount = [...pins.values()].filter((h) => h.length > 0).length;
      assert.ok(cache.size <= Math.max(capacity, pinnedCount + 1), `size ${cache.size} at step ${step}`);
    }
    assert.ok(evicted.size > 0);
  });
});
