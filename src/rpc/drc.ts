import { crc32 } from 'node:zlib';
import { BoundedCache } from '../util/bounded-cache.js';

export interface DrcOptions {
  /** Most entries kept; those not asked for again go first. */
  maxEntries?: number;
  /** Replies (and calls still running) older than this are not replayed; clients retry well within it. */
  maxAgeMs?: number;
  now?: () => number;
}

export const DEFAULT_DRC_MAX_ENTRIES = 4096;
export const DEFAULT_DRC_MAX_AGE_MS = 120_000;

/**
 * What identifies one call across retransmissions. `client` is the address alone for TCP (a client that
 * reconnects comes from a new port) and address plus port for UDP.
 */
export interface DrcKey {
  client: string;
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  /** Who made the call: a reply is replayed only to the credential it was made for. */
  cred: string;
  /** The encoded arguments, checksummed so a reused xid with different arguments is not mistaken. */
  args: Buffer;
}

export type DrcLookup =
  /** First sight: run the call, then report its reply with `complete`. */
  | { kind: 'execute'; complete(reply: readonly Buffer[], cacheable: boolean): void }
  /** Done before: send exactly these bytes again. */
  | { kind: 'replay'; reply: Buffer[] }
  /** The first transmission is still running: its reply will answer this one too. */
  | { kind: 'in-progress'; reply: Promise<Buffer[]> };

type Entry =
  | { state: 'in-progress'; at: number; waiters: ((reply: Buffer[]) => void)[] }
  | { state: 'done'; at: number; reply: Buffer };

/**
 * Duplicate request cache for non-idempotent procedures, so a retried REMOVE gets the first reply instead
 * of NFS3ERR_NOENT. Replies are stored as one compact copy: the encoder's views would pin whole slabs.
 * Bounded by util/bounded-cache.ts; an entry past its age is dropped when it is next looked up (and
 * until then only takes one of the `maxEntries` places).
 */
export class DuplicateRequestCache {
  private readonly entries: BoundedCache<string, Entry>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(opts: DrcOptions = {}) {
    this.entries = new BoundedCache({ capacity: opts.maxEntries ?? DEFAULT_DRC_MAX_ENTRIES });
    this.maxAgeMs = opts.maxAgeMs ?? DEFAULT_DRC_MAX_AGE_MS;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Calls still running, for checks that nothing is left behind. */
  get inProgress(): number {
    let n = 0;
    for (const [, e] of this.entries.entries()) if (e.state === 'in-progress') n++;
    return n;
  }

  lookup(key: DrcKey): DrcLookup {
    const now = this.now();
    const id = `${key.client}|${key.xid}|${key.prog}|${key.vers}|${key.proc}|${key.cred}|${crc32(key.args)}`;
    let found = this.entries.get(id);
    // A call still running after the maximum age is forgotten like the rest; its waiters still get woken.
    if (found !== undefined && now - found.at > this.maxAgeMs) {
      this.entries.delete(id);
      found = undefined;
    }
    if (found?.state === 'done') return { kind: 'replay', reply: [found.reply] };
    if (found?.state === 'in-progress') {
      const waiters = found.waiters;
      return { kind: 'in-progress', reply: new Promise((resolve) => waiters.push(resolve)) };
    }
    const entry: Entry = { state: 'in-progress', at: now, waiters: [] };
    this.entries.set(id, entry);
    return {
      kind: 'execute',
      complete: (reply, cacheable) => {
        const bytes = Buffer.concat(reply);
        for (const wake of entry.waiters) wake([bytes]);
        // Evicted or expired meanwhile: nothing to keep.
        if (this.entries.peek(id) !== entry) return;
        if (cacheable) this.entries.set(id, { state: 'done', at: this.now(), reply: bytes });
        else this.entries.delete(id);
      },
    };
  }
}
