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
  /** Told about a failed background commit or sync; the changes stay pending (or come back) and are retried. */
  readonly onError?: (err: unknown) => void;
  /**
   * Makes committed data durable when `commit` itself does not (it commits with SQLite's
   * `synchronous = NORMAL`): `now` synchronously, `later` off the event loop. Background commits resolve
   * their waiters only once `later` is done, so the fsync no longer stalls every other request.
   */
  readonly sync?: { now(): void; later(): Promise<void> };
  /**
   * A sync failed: what was committed since the last durable point may never reach the disk, and a later
   * sync that succeeds does not prove otherwise (Linux may drop the dirty pages of a failed writeback and
   * report the error only once). The owner makes those changes pending again, so they are written anew.
   */
  readonly onLost?: () => void;
  /** Everything committed so far is durable (a sync that started after it succeeded). */
  readonly onDurable?: () => void;
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
 *
 * With a background `sync`, at most one sync runs at a time and no background commit is made while it
 * runs: everything committed is then covered by the sync under way, so its outcome decides for all of
 * it. A failed sync rejects everyone waiting on it, hands the changes back (`onLost`) and retries; until
 * a sync succeeds, durable() resolves for nobody.
 */
export class GroupCommit {
  readonly #commit: () => number;
  readonly #pending: () => number;
  readonly #delayMs: number;
  readonly #lazyDelayMs: number;
  #urgent = false;
  /** The background sync under way, and who waits for it. */
  #syncing: { readonly done: Promise<void>; readonly waiters: Waiter[] } | undefined;
  /** Something was committed that no successful sync has covered yet. */
  #unsynced = false;
  readonly #maxBatch: number;
  readonly #onError: (err: unknown) => void;
  readonly #onLost: () => void;
  readonly #onDurable: () => void;
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
    this.#onLost = options.onLost ?? (() => {});
    this.#onDurable = options.onDurable ?? (() => {});
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
    if (this.#pending() === 0 && !this.#unsynced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      // Nothing new: the sync under way covers everything committed.
      if (this.#pending() === 0 && this.#syncing) this.#syncing.waiters.push(waiter);
      else {
        this.#waiters.push(waiter);
        this.changed();
      }
    });
  }

  /** Commits now and makes it durable, synchronously; throws if the commit or the sync fails. */
  flushNow(): void {
    this.#cancelTimer();
    const waiters = this.#takeWaiters();
    try {
      this.#commitOnce();
      if (this.#sync && this.#unsynced) {
        this.#sync.now();
        // A background sync under way decides for what it covers (it may report an error this one did
        // not see); without one, everything is durable now.
        if (!this.#syncing) this.#markDurable();
      }
    } catch (err) {
      this.#failed(err, waiters);
      throw err;
    }
    for (const w of waiters) w.resolve();
  }

  /** Stops the timer; pending changes are left for a final flushNow(). */
  stop(): void {
    this.#cancelTimer();
  }

  /** Commits the pending changes (if any); throws if the commit fails. */
  #commitOnce(): void {
    const records = this.#pending() === 0 ? 0 : this.#commit();
    if (records === 0) return;
    if (this.#sync) this.#unsynced = true;
    const s = this.#stats;
    this.#stats = {
      ...s,
      commits: s.commits + 1,
      records: s.records + records,
      largestBatch: Math.max(s.largestBatch, records),
    };
  }

  #flushInBackground(): void {
    this.#timer = undefined;
    this.#urgent = false;
    // Resumed when the sync under way ends.
    if (this.#syncing) return;
    const waiters = this.#takeWaiters();
    try {
      this.#commitOnce();
    } catch (err) {
      this.#failed(err, waiters);
      this.#retryLater();
      return;
    }
    if (!this.#sync || !this.#unsynced) {
      for (const w of waiters) w.resolve();
      return;
    }
    const syncing = { done: this.#sync.later(), waiters };
    this.#syncing = syncing;
    syncing.done.then(
      () => {
        this.#syncing = undefined;
        this.#markDurable();
        for (const w of syncing.waiters) w.resolve();
        this.#resume();
      },
      (err: unknown) => {
        this.#syncing = undefined;
        this.#failed(err, syncing.waiters);
        this.#onLost();
        this.#retryLater();
      },
    );
  }

  #markDurable(): void {
    this.#unsynced = false;
    this.#onDurable();
  }

  #failed(err: unknown, waiters: readonly Waiter[]): void {
    this.#stats = { ...this.#stats, failures: this.#stats.failures + 1 };
    this.#onError(err);
    for (const w of waiters) w.reject(err);
  }

  /** After a sync: changes waited for meanwhile get their commit at once (they have waited already),
   * others within the usual delays. */
  #resume(): void {
    if (this.#waiters.length > 0) {
      this.#cancelTimer();
      this.#urgent = true;
      this.#timer = setImmediate(() => this.#flushInBackground());
    } else if (this.#pending() > 0) this.changed();
  }

  #retryLater(): void {
    this.#cancelTimer();
    this.#timer = setTimeout(() => this.#flushInBackground(), RETRY_DELAY_MS);
  }

  #takeWaiters(): Waiter[] {
    const waiters = this.#waiters;
    this.#waiters = [];
    return waiters;
  }

  #cancelTimer(): void {
    if (this.#timer) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
  }
}
