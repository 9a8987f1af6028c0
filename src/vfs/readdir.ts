import type { Identity } from './types.js';

/** One directory entry in cookie order. `fileid` is filled on first use and kept with the snapshot. */
export interface DirEntry {
  readonly name: Buffer;
  readonly cookie: bigint;
  fileid?: bigint;
}

export interface DirListing {
  /** '.' (cookie 1) and '..' (cookie 2) first, then every other entry by ascending cookie. */
  readonly entries: readonly DirEntry[];
  /** cookieverf3: derived from the directory's mtime, so it is the same after a restart. */
  readonly verifier: Buffer;
}

export const DOT_COOKIE = 1n;
export const DOTDOT_COOKIE = 2n;
const FIRST_FREE_COOKIE = 3n;
const MASK63 = (1n << 63n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/**
 * A cookie that depends only on the name bytes (FNV-1a 64 masked to 63 bits so it stays positive as a
 * signed 64-bit number, skipping 0, 1 and 2). Cookies therefore survive restarts, and resuming after
 * cookie C means "entries whose cookie is above C", which neither skips nor repeats when entries are
 * added or removed between pages.
 */
export function nameHash(name: Buffer): bigint {
  let h = FNV_OFFSET;
  for (const byte of name) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * FNV_PRIME);
  h &= MASK63;
  return h < FIRST_FREE_COOKIE ? h + FIRST_FREE_COOKIE : h;
}

/** Orders names by hash (ties by bytes) and gives each a cookie. On a hash collision the later name gets
 * the next free value, so cookies stay unique and strictly increasing; that only shifts the colliding
 * names, which are equally stable while the directory is unchanged. */
export function assignCookies(names: readonly Buffer[]): DirEntry[] {
  const hashed = names.map((name) => ({ name, hash: nameHash(name) }));
  hashed.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : Buffer.compare(a.name, b.name)));
  const entries: DirEntry[] = [
    { name: Buffer.from('.'), cookie: DOT_COOKIE },
    { name: Buffer.from('..'), cookie: DOTDOT_COOKIE },
  ];
  let last = DOTDOT_COOKIE;
  for (const { name, hash } of hashed) {
    const cookie = hash > last ? hash : last + 1n;
    entries.push({ name, cookie });
    last = cookie;
  }
  return entries;
}

/** Index of the first entry after `cookie` (0 for cookie 0). Works for cookies of entries that have
 * since been removed, too. */
export function startIndex(entries: readonly DirEntry[], cookie: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.cookie <= cookie) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function verifierFromMtime(mtimeNs: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt.asUintN(64, mtimeNs));
  return buf;
}

/** What must be unchanged for a cached listing to still be the directory's content. */
export interface DirVersion {
  readonly ident: Identity;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

interface Snapshot {
  readonly version: DirVersion;
  readonly listing: DirListing;
}

/**
 * Bounded LRU of directory listings, so paging a large directory reads and sorts it once.
 *
 * Memory is bounded by the entries held in all listings together (`maxEntries`, by default room for
 * one 1,000,000-entry directory and others beside it), not by the number of listings alone: the least
 * recently used listings go until the total fits, and a listing larger than the bound is not kept.
 *
 * Timestamps come from a coarse kernel clock: two changes within one tick leave mtime and ctime equal.
 * A listing read while the directory's ctime is that fresh is therefore not cached; once it is older than
 * `freshnessMs`, any later change moves the timestamps and invalidates the snapshot.
 */
export class DirSnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private totalEntries = 0;

  constructor(
    private readonly maxDirs = 64,
    private readonly maxEntries = 2_000_000,
    private readonly freshnessMs = 50,
  ) {}

  get(version: DirVersion): DirListing | undefined {
    const key = keyOf(version.ident);
    const snap = this.snapshots.get(key);
    if (snap === undefined) return undefined;
    if (snap.version.mtimeNs !== version.mtimeNs || snap.version.ctimeNs !== version.ctimeNs) {
      this.drop(key, snap);
      return undefined;
    }
    this.snapshots.delete(key);
    this.snapshots.set(key, snap);
    return snap.listing;
  }

  put(version: DirVersion, listing: DirListing, nowMs: number = Date.now()): void {
    const ageMs = nowMs - Number(version.ctimeNs / 1_000_000n);
    if (ageMs < this.freshnessMs || listing.entries.length > this.maxEntries) return;
    const key = keyOf(version.ident);
    const old = this.snapshots.get(key);
    if (old !== undefined) this.drop(key, old);
    this.snapshots.set(key, { version, listing });
    this.totalEntries += listing.entries.length;
    for (const [k, snap] of this.snapshots) {
      if (this.snapshots.size <= this.maxDirs && this.totalEntries <= this.maxEntries) break;
      this.drop(k, snap);
    }
  }

  private drop(key: string, snap: Snapshot): void {
    this.snapshots.delete(key);
    this.totalEntries -= snap.listing.entries.length;
  }
}

function keyOf(ident: Identity): string {
  return `${ident.dev}:${ident.ino}:${ident.btime}`;
}
