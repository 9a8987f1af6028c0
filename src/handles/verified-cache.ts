/**
 * A bounded least-recently-used map from raw handle bytes to what verifying them proved, so that a
 * handle seen again skips the HMAC. Keys are the handle bytes as a latin1 string (one char per byte).
 */
export class VerifiedCache<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`bad cache capacity: ${capacity}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(raw: Buffer): V | undefined {
    const key = raw.toString('latin1');
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(raw: Buffer, value: V): void {
    if (this.capacity === 0) return;
    const key = raw.toString('latin1');
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
