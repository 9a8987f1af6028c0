import { registerReliever } from './descriptors.js';
import type { PinScope } from './pin-scope.js';
import { closeQuietly } from './proc-path.js';
import type { VNode } from './types.js';

export interface NodeCacheOptions {
  readonly maxEntries?: number;
  /** Entries unused for this long are closed. */
  readonly idleMs?: number;
}

interface Entry {
  readonly node: VNode;
  lastUsed: number;
  /** Operations using the descriptor right now: while above 0 nothing closes it. */
  pins: number;
  /** Replaced, deleted or evicted while pinned: no longer findable, closed by the last unpin. */
  retired: boolean;
  /** Whether the descriptor is still open: it is closed exactly once, its number may be reused after. */
  open: boolean;
}

/**
 * A bounded LRU of O_PATH VNodes keyed by the catalog's object id. It owns the descriptors it holds and
 * closes them on eviction, on idle timeout and when the process runs out of descriptors, except those
 * pinned by an operation in progress (`get`/`put`/`pin` with a PinScope): they stay open until the
 * last pin goes, even if their entry was replaced or deleted meanwhile. A VNode used without a pin may
 * go stale, which vfs operations report as 'EBADF' (rebuild and retry). Pinned entries do not count
 * against eviction: the cache may hold more than `maxEntries` while that many are in use.
 */
export class NodeCache {
  private readonly entries = new Map<bigint, Entry>();
  /** Every entry, by the nodes handed out for it, so such a node can be pinned again. */
  private readonly owned = new WeakMap<VNode, Entry>();
  private readonly maxEntries: number;
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unregister: () => void;

  constructor(options: NodeCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 4096);
    this.idleMs = options.idleMs ?? 60_000;
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(100, Math.min(this.idleMs, 5000)));
    this.sweeper.unref();
    // Under descriptor exhaustion, give back the older half.
    this.unregister = registerReliever(() => this.shrinkTo(Math.floor(this.entries.size / 2)));
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached node, pinned in `pins` when given. */
  get(key: bigint, pins?: PinScope): VNode | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.lastUsed = Date.now();
    if (pins) this.hold(entry, pins);
    return entry.node;
  }

  /**
   * Takes ownership of `node` (pinned in `pins` when given); a different node already cached under `key`
   * is closed, or retired until its pins are released.
   */
  put(key: bigint, node: VNode, pins?: PinScope): void {
    const old = this.entries.get(key);
    let entry: Entry;
    if (old !== undefined && old.node.fd === node.fd) {
      this.entries.delete(key);
      entry = old;
      entry.lastUsed = Date.now();
    } else {
      if (old !== undefined) this.remove(key, old);
      entry = { node, lastUsed: Date.now(), pins: 0, retired: false, open: true };
    }
    this.owned.set(node, entry);
    this.entries.set(key, entry);
    // Pinned before shrinking, so the entry just put is never the one evicted.
    if (pins) this.hold(entry, pins);
    this.shrinkTo(this.maxEntries);
  }

  /**
   * Pins a node this cache handed out (a no-op for a node it does not own, such as an export root, whose
   * owner keeps it open). Returns false if the cache already closed it: the caller must look it up again.
   */
  pin(node: VNode, pins: PinScope): boolean {
    const entry = this.owned.get(node);
    if (entry === undefined) return true;
    if (!entry.open) return false;
    this.hold(entry, pins);
    return true;
  }

  delete(key: bigint): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.remove(key, entry);
  }

  /** Deletes the entry only while it still holds `node` (another operation may have replaced it). */
  deleteIf(key: bigint, node: VNode): void {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.node === node) this.remove(key, entry);
  }

  closeIdle(now: number = Date.now()): void {
    for (const [key, entry] of this.entries) {
      if (entry.pins === 0 && now - entry.lastUsed >= this.idleMs) this.remove(key, entry);
    }
  }

  /** Closes every descriptor; those still pinned are closed when their operations end. */
  close(): void {
    clearInterval(this.sweeper);
    this.unregister();
    for (const [key, entry] of this.entries) this.remove(key, entry);
  }

  private hold(entry: Entry, pins: PinScope): void {
    entry.pins++;
    pins.hold(() => this.unpin(entry));
  }

  private unpin(entry: Entry): void {
    entry.pins--;
    entry.lastUsed = Date.now();
    if (entry.pins === 0 && entry.retired) this.closeEntry(entry);
  }

  /** Takes the entry out of the cache; closes it now, or at its last unpin. */
  private remove(key: bigint, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    entry.retired = true;
    if (entry.pins === 0) this.closeEntry(entry);
  }

  private closeEntry(entry: Entry): void {
    if (!entry.open) return;
    entry.open = false;
    closeQuietly(entry.node.fd);
  }

  /** Closes least recently used entries that nobody pins until at most `limit` remain (if it can). */
  private shrinkTo(limit: number): number {
    let closed = 0;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= limit) break;
      if (entry.pins > 0) continue;
      this.remove(key, entry);
      closed++;
    }
    return closed;
  }
}
