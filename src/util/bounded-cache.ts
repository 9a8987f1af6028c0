/** Why a value left the cache, as told to `onEvict`. */
export type EvictReason = 'evicted' | 'replaced' | 'deleted' | 'cleared';

export interface BoundedCacheOptions<K, V> {
  /**
   * How many entries the cache keeps. Pinned entries are never evicted, so while more than this many
   * are pinned the cache holds them all (and nothing else); it shrinks back as they are unpinned.
   */
  readonly capacity: number;
  /**
   * Told about every value that leaves the cache, with the reason, once it left and nobody pins it: an
   * entry deleted or cleared while pinned is reported at its last unpin, so a cache that owns its values
   * (descriptors) closes them here and never under a user. A value replaced by `set` is reported at
   * once (the key's pins stay with the new value): to keep an old value for its users, delete the key
   * before setting it again.
   */
  readonly onEvict?: (key: K, value: V, reason: EvictReason) => void;
}

/** Releases one pin; calling it again does nothing. */
export type Unpin = () => void;

interface Entry<K, V> {
  readonly key: K;
  value: V;
  /** Used since the clock hand last passed: it is spared once. */
  referenced: boolean;
  pins: number;
  /** Why the entry left the cache while pinned: reported to onEvict at its last unpin. */
  removed: EvictReason | undefined;
  /** Neighbours in the clock ring; both undefined while the entry is pinned or after it left. */
  prev: Entry<K, V> | undefined;
  next: Entry<K, V> | undefined;
}

/**
 * A map with a size limit, evicting by CLOCK (second chance): a hit only sets the entry's reference
 * bit, so reading costs one hash lookup whatever the size, and no map is reordered. When room is
 * needed, a hand goes round the entries nobody pins, clearing reference bits, and evicts the first
 * entry found unused since its last pass. New entries join just behind the hand, so each gets a full
 * turn to be used before it is considered.
 *
 * Pinned entries (`pin`) are out of the ring: the hand never passes them and they are never evicted,
 * however many there are. Every operation is O(1) except eviction, which is amortised O(1) (each
 * reference bit is cleared at most once per use).
 */
export class BoundedCache<K, V> {
  readonly capacity: number;
  readonly #onEvict: ((key: K, value: V, reason: EvictReason) => void) | undefined;
  readonly #entries = new Map<K, Entry<K, V>>();
  /** The next entry the clock looks at; undefined when every entry is pinned (or there is none). */
  #hand: Entry<K, V> | undefined;

  constructor(options: BoundedCacheOptions<K, V>) {
    const { capacity } = options;
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`bad cache capacity: ${capacity}`);
    this.capacity = capacity;
    this.#onEvict = options.onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, marked as used. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    entry.referenced = true;
    return entry.value;
  }

  /** The value, without marking it as used. */
  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /**
   * Adds or replaces the value for `key`. A replaced value is reported to `onEvict` ('replaced', unless
   * it is the very same value); the key keeps its pins. Room for a new key is made before it is added,
   * so it is never the victim of its own insertion. With capacity 0 nothing is kept.
   */
  set(key: K, value: V): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      const old = entry.value;
      entry.value = value;
      entry.referenced = true;
      if (old !== value) this.#onEvict?.(key, old, 'replaced');
      return;
    }
    if (this.capacity === 0) return;
    this.#evictWhile(() => this.#entries.size >= this.capacity);
    const added: Entry<K, V> = {
      key,
      value,
      referenced: false,
      pins: 0,
      removed: undefined,
      prev: undefined,
      next: undefined,
    };
    this.#entries.set(key, added);
    this.#link(added);
  }

  /** Removes the entry, pinned or not (a pinned one is reported to onEvict at its last unpin). */
  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#remove(entry, 'deleted');
    return true;
  }

  /** Removes every entry, pinned or not. */
  clear(): void {
    for (const entry of [...this.#entries.values()]) this.#remove(entry, 'cleared');
  }

  /**
   * Keeps the entry from being evicted until the returned function is called (pins count up). Returns
   * undefined when the key is not cached. The pin belongs to the entry: if the entry is deleted and the
   * key cached again, releasing it does not touch the new entry.
   */
  pin(key: K): Unpin | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.pins++ === 0) this.#unlink(entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.pins > 0) return;
      if (entry.removed !== undefined) {
        this.#onEvict?.(entry.key, entry.value, entry.removed);
        return;
      }
      this.#link(entry);
      // The cache may have grown past its capacity while entries were pinned.
      this.#evictWhile(() => this.#entries.size > this.capacity);
    };
  }

  isPinned(key: K): boolean {
    return (this.#entries.get(key)?.pins ?? 0) > 0;
  }

  /** Evicts unpinned entries, by the clock, until at most `limit` remain or none can go. Returns how many went. */
  evictTo(limit: number): number {
    const before = this.#entries.size;
    this.#evictWhile(() => this.#entries.size > limit);
    return before - this.#entries.size;
  }

  /** Every entry, in no particular order; entries may be deleted while iterating. */
  *entries(): IterableIterator<[K, V]> {
    for (const [key, entry] of this.#entries) yield [key, entry.value];
  }

  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }

  #evictWhile(tooMany: () => boolean): void {
    while (tooMany()) {
      let victim = this.#hand;
      if (victim === undefined) return; // everything left is pinned
      while (victim.referenced) {
        victim.referenced = false;
        victim = victim.next!;
      }
      this.#hand = victim;
      this.#remove(victim, 'evicted');
    }
  }

  #remove(entry: Entry<K, V>, reason: EvictReason): void {
    this.#entries.delete(entry.key);
    this.#unlink(entry);
    if (entry.pins > 0) entry.removed = reason;
    else this.#onEvict?.(entry.key, entry.value, reason);
  }

  /** Puts the entry into the ring just behind the hand: the last one it will reach. */
  #link(entry: Entry<K, V>): void {
    const hand = this.#hand;
    if (hand === undefined) {
      entry.prev = entry;
      entry.next = entry;
      this.#hand = entry;
      return;
    }
    const last = hand.prev!;
    entry.prev = last;
    entry.next = hand;
    last.next = entry;
    hand.prev = entry;
  }

  #unlink(entry: Entry<K, V>): void {
    const { prev, next } = entry;
    if (next === undefined || prev === undefined) return;
    if (next === entry) this.#hand = undefined;
    else {
      prev.next = next;
      next.prev = prev;
      if (this.#hand === entry) this.#hand = next;
    }
    entry.prev = undefined;
    entry.next = undefined;
  }
}
