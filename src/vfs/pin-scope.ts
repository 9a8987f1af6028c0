/**
 * The pins one operation holds (on cached descriptors it uses), released together when it ends. A cache
 * never closes a descriptor while a pin on it is held, so an operation that spans `await`s, or whose own
 * work fills the cache (READDIRPLUS caching a descriptor per entry), keeps the descriptors it relies on.
 */
export class PinScope {
  private releases: (() => void)[] = [];

  /** Registers the release of one pin; it runs when the scope is released. */
  hold(release: () => void): void {
    this.releases.push(release);
  }

  /** Releases every pin taken so far. The scope may be used again afterwards. */
  release(): void {
    const releases = this.releases;
    this.releases = [];
    for (const r of releases) r();
  }

  /** Runs `work` with a fresh scope released when it returns or throws. */
  static run<T>(work: (pins: PinScope) => T): T {
    const pins = new PinScope();
    try {
      return work(pins);
    } finally {
      pins.release();
    }
  }

  /** Runs asynchronous `work` with a fresh scope released when it settles. */
  static async runAsync<T>(work: (pins: PinScope) => Promise<T>): Promise<T> {
    const pins = new PinScope();
    try {
      return await work(pins);
    } finally {
      pins.release();
    }
  }
}
