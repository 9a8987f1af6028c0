import { BoundedCache } from '../util/bounded-cache.js';

/**
 * A bounded map from raw handle bytes to what verifying them proved, so that a handle seen again skips
 * the HMAC. Keys are the handle bytes as a latin1 string (one char per byte). Eviction is by CLOCK
 * (util/bounded-cache.ts): a hit reorders nothing, so it costs the same however full the cache is.
 */
export class VerifiedCache<V> {
  readonly #entries: BoundedCache<string, V>;

  constructor(readonly capacity: number) {
    this.#entries = new BoundedCache({ capacity });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(raw: Buffer): V | undefined {
    return this.#entries.get(raw.toString('latin1'));
  }

  set(raw: Buffer, value: V): void {
    this.#entries.set(raw.toString('latin1'), value);
  }

  clear(): void {
    this.#entries.clear();
  }
}
