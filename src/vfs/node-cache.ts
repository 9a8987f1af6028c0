import { registerReliever } from './descriptors.js';
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
}

/**
 * A bounded LRU of O_PATH VNodes keyed by the catalog's object id. It owns the descriptors it holds and
 * closes them on eviction, on idle timeout and when the process runs out of descriptors; a VNode taken
 * from it may therefore go stale, which vfs operations report as 'EBADF' (rebuild and retry).
 */
export class NodeCache {
  private readonly entries = new Map<bigint, Entry>();
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

  get(key: bigint): VNode | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.lastUsed = Date.now();
    return entry.node;
  }

  /** Takes ownership of `node`; a different node already cached under `key` is closed. */
  put(key: bigint, node: VNode): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      if (old.node.fd !== node.fd) closeQuietly(old.node.fd);
    }
    this.entries.set(key, { node, lastUsed: Date.now() });
    this.shrinkTo(this.maxEntries);
  }

  delete(key: bigint): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    closeQuietly(entry.node.fd);
  }

  closeIdle(now: number = Date.now()): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.lastUsed >= this.idleMs) this.delete(key);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.unregister();
    this.shrinkTo(0);
  }

  private shrinkTo(limit: number): number {
    let closed = 0;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= limit) break;
      this.delete(key);
      closed++;
    }
    return closed;
  }
}
