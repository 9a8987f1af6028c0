export interface GroupCommitOptions {
  /** How long the first change someone waits for (durable()) waits for company before it is committed. */
  readonly delayMs?: number;
  /**
   * How long changes nobody waits for (a REMOVE's catalog update) may stay pending: a commit costs an
   * fsync that blocks the event loop, so these are gathered into few commits.
   */
  readonly lazyDelayMs?: number;
  /** A batch this large is committed without waiting for the timer. */
  readonly maxBatch?: number;
  /** Told about a failed background commit; the changes stay pending and are retried. */
  readonly onError?: (err: unknown) => void;
  /**
   * Makes committed data durable when `commit` itself does not (it commits with SQLite's
   * `synchronous = NORMAL`): `now` synchronously, `later` off the event loop. Background commits resolve
   * their waiters only once `later` is done, so the fsync no longer stalls every other request.
   */
  readonly sync?: { now(): void; later(): Promise<void> };
}

export interface GroupCommitStats {
  readonly commits: number;
  readonly records: number;
  readonly largestBatch: number;
  readonly failures: number;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

const RETRY_DELAY_MS = 100;

/**
 * Shares one durable commit among every change made in a short window. `commit` writes all pending
 * changes in one transaction and returns how many records it wrote; it must throw if nothing was written.
 */
export class GroupCommit {
  readonly #commit: () => number;
  readonly #pending: () => number;
  readonly #delayMs: number;
  readonly #lazyDelayMs: number;
  #urgent = false;
  /** The newest fsync under way: it covers every commit made before it started. */
  #syncing: Promise<void> | undefined;
  readonly #maxBatch: number;
  readonly #onError: (err: unknown) => void;
  readonly #sync: GroupCommitOptions['sync'];
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #waiters: Waiter[] = [];
  #stats: GroupCommitStats = { commits: 0, records: 0, largestBatch: 0, failures: 0 };

  constructor(commit: () => number, pending: () => number, options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#pending = pending;
    this.#delayMs = options.delayMs ?? 1;
    this.#lazyDelayMs = options.lazyDelayMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#onError = options.onError ?? (() => {});
    this.#sync = options.sync;
  }

  get stats(): GroupCommitStats {
    return this.#stats;
  }

  /** Called after each change: makes sure a commit is coming, soon if someone waits for it. */
  changed(): void {
    const urgent = this.#waiters.length > 0;
    if (this.#pending() >= this.#maxBatch) {
      this.#cancelTimer();
      this.#urgent = true;
      this.#timer = setImmediate(() => this.#flushInBackground());
    } else if (!this.#timer || (urgent && !this.#urgent)) {
      this.#cancelTimer();
      this.#urgent = urgent;
      this.#timer = setTimeout(() => this.#flushInBackground(), urgent ? this.#delayMs : this.#lazyDelayMs);
    }
  }

  /** Resolves once everything changed so far is committed and durable; rejects if that failed. */
  durable(): Promise<void> {
    if (this.#pending() === 0) return this.#syncing ?? Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.changed();
    });
  }

  /** Commits now and makes it durable, synchronously; throws if the commit fails. */
  flushNow(): void {
    this.#commitPending(true);
  }

  /** Commits the pending changes; durable at once (`syncNow`) or once a background fsync is done. */
  #commitPending(syncNow: boolean): void {
    this.#cancelTimer();
    const waiters = this.#waiters;
    this.#waiters = [];
    let records: number;
    try {
      records = this.#pending() === 0 ? 0 : this.#commit();
      if (records > 0 && this.#sync && syncNow) this.#sync.now();
      if (records > 0) {
        const s = this.#stats;
        this.#stats = {
          ...s,
          commits: s.commits + 1,
          records: s.records + records,
          largestBatch: Math.max(s.largestBatch, records),
        };
      }
    } catch (err) {
      this.#stats = { ...this.#stats, failures: this.#stats.failures + 1 };
      for (const w of waiters) w.reject(err);
      throw err;
    }
    if (records === 0 || !this.#sync || syncNow) {
      for (const w of waiters) w.resolve();
      return;
    }
    const syncing = this.#sync.later();
    this.#syncing = syncing;
    syncing.then(
      () => {
        if (this.#syncing === syncing) this.#syncing = undefined;
        for (const w of waiters) w.resolve();
      },
      (err: unknown) => {
        if (this.#syncing === syncing) this.#syncing = undefined;
        this.#stats = { ...this.#stats, failures: this.#stats.failures + 1 };
        this.#onError(err);
        for (const w of waiters) w.reject(err);
      },
    );
  }

  /** Stops the timer; pending changes are left for a final flushNow(). */
  stop(): void {
    this.#cancelTimer();
  }

  #flushInBackground(): void {
    this.#timer = undefined;
    this.#urgent = false;
    try {
      this.#commitPending(false);
    } catch (err) {
      this.#onError(err);
      if (!this.#timer) this.#timer = setTimeout(() => this.#flushInBackground(), RETRY_DELAY_MS);
    }
  }

  #cancelTimer(): void {
    if (this.#timer) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
  }
}
