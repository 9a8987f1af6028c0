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
  /** A sync begins: it covers everything committed so far (and nothing committed after). */
  readonly onSyncStart?: () => void;
  /** The sync that began last succeeded: everything committed before it began is durable. */
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
 * With a background `sync`, at most one sync runs at a time, and it covers exactly what was committed
 * before it began (`onSyncStart`). While it runs, changes are committed only for those who wait for
 * written() alone; durable() waiters are served by the sync after it. A failed sync rejects everyone
 * waiting on it, hands every change not yet known durable back (`onLost`) and retries; until a sync
 * succeeds, durable() resolves for nobody.
 */
export class GroupCommit {
  readonly #commit: () => number;
  readonly #pending: () => number;
  readonly #delayMs: number;
  readonly #lazyDelayMs: number;
  #urgent = false;
  /** The background sync under way, and who waits for it. */
  #syncing: { readonly waiters: Waiter[] } | undefined;
  /** Something was committed that no sync begun since covers (or the sync that covered it failed). */
  #uncovered = false;
  readonly #maxBatch: number;
  readonly #onError: (err: unknown) => void;
  readonly #onLost: () => void;
  readonly #onSyncStart: () => void;
  readonly #onDurable: () => void;
  readonly #sync: GroupCommitOptions['sync'];
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Waiting for durable(): the commit of what is pending, and then a sync. */
  #waiters: Waiter[] = [];
  /** Waiting for written(): the commit of what is pending only. */
  #writtenWaiters: Waiter[] = [];
  #stats: GroupCommitStats = { commits: 0, records: 0, largestBatch: 0, failures: 0 };

  constructor(commit: () => number, pending: () => number, options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#pending = pending;
    this.#delayMs = options.delayMs ?? 1;
    this.#lazyDelayMs = options.lazyDelayMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#onError = options.onError ?? (() => {});
    this.#onLost = options.onLost ?? (() => {});
    this.#onSyncStart = options.onSyncStart ?? (() => {});
    this.#onDurable = options.onDurable ?? (() => {});
    this.#sync = options.sync;
  }

  get stats(): GroupCommitStats {
    return this.#stats;
  }

  /** Called after each change: makes sure a commit is coming, soon if someone waits for it. */
  changed(): void {
    const urgent = this.#waiters.length > 0 || this.#writtenWaiters.length > 0;
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
    const settled = this.#pending() === 0 && !this.#uncovered;
    if (settled && !this.#syncing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      // Nothing new: the sync under way covers everything committed.
      if (settled) this.#syncing!.waiters.push(waiter);
      else {
        this.#waiters.push(waiter);
        this.changed();
      }
    });
  }

  /**
   * Resolves once everything changed so far is committed (written, not necessarily synced: it survives
   * the process being killed, not a power cut); rejects if the commit failed. The sync follows in the
   * background as for durable(), and a sync under way is not waited for.
   */
  written(): Promise<void> {
    if (this.#pending() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#writtenWaiters.push({ resolve, reject });
      this.changed();
    });
  }

  /** Commits now and makes it durable, synchronously; throws if the commit or the sync fails. */
  flushNow(): void {
    this.#cancelTimer();
    const waiters = [...this.#takeWaiters(), ...this.#takeWrittenWaiters()];
    try {
      this.#commitOnce();
    } catch (err) {
      this.#failed(err, waiters);
      throw err;
    }
    if (this.#sync && this.#uncovered) {
      this.#onSyncStart();
      this.#uncovered = false;
      try {
        this.#sync.now();
      } catch (err) {
        this.#lost(err, waiters);
        throw err;
      }
      // A background sync under way decides for what it covers (it may report an error this one did
      // not see); without one, everything is durable now.
      if (!this.#syncing) this.#onDurable();
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
    if (this.#sync) this.#uncovered = true;
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
    if (this.#syncing) {
      // The sync under way covers only what was committed before it: a commit now serves those who
      // wait for written() alone. The rest is resumed when the sync ends.
      if (this.#writtenWaiters.length > 0) this.#commitForWritten();
      return;
    }
    const waiters = this.#takeWaiters();
    const written = this.#takeWrittenWaiters();
    try {
      this.#commitOnce();
    } catch (err) {
      this.#failed(err, [...waiters, ...written]);
      this.#retryLater();
      return;
    }
    for (const w of written) w.resolve();
    if (!this.#sync || !this.#uncovered) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.#startSync(this.#sync, waiters);
  }

  /** While a sync runs: commits for the written() waiters; a failure is retried when the sync ends. */
  #commitForWritten(): void {
    const written = this.#takeWrittenWaiters();
    try {
      this.#commitOnce();
    } catch (err) {
      this.#failed(err, written);
      return;
    }
    for (const w of written) w.resolve();
  }

  #startSync(sync: NonNullable<GroupCommitOptions['sync']>, waiters: Waiter[]): void {
    this.#onSyncStart();
    this.#uncovered = false;
    const syncing = { waiters };
    this.#syncing = syncing;
    let done: Promise<void>;
    try {
      done = sync.later();
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(
      () => {
        this.#syncing = undefined;
        this.#onDurable();
        for (const w of syncing.waiters) w.resolve();
        this.#resume();
      },
      (err: unknown) => {
        this.#syncing = undefined;
        this.#lost(err, syncing.waiters);
        this.#retryLater();
      },
    );
  }

  /** A sync failed: nothing committed since the last good one is known durable; it is written again. */
  #lost(err: unknown, waiters: readonly Waiter[]): void {
    this.#uncovered = true;
    this.#failed(err, waiters);
    this.#onLost();
  }

  #failed(err: unknown, waiters: readonly Waiter[]): void {
    this.#stats = { ...this.#stats, failures: this.#stats.failures + 1 };
    this.#onError(err);
    for (const w of waiters) w.reject(err);
  }

  /** After a sync: changes waited for meanwhile get their commit at once (they have waited already),
   * and so does the sync of what was committed for written() meanwhile; others within the usual delays. */
  #resume(): void {
    if (this.#waiters.length > 0 || this.#writtenWaiters.length > 0 || this.#uncovered) {
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

  #takeWrittenWaiters(): Waiter[] {
    const waiters = this.#writtenWaiters;
    this.#writtenWaiters = [];
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
