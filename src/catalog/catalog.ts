import { randomBytes } from 'node:crypto';
import { type FileIdentity, sameInode } from '../store/identity.js';
import { asObjectId, type ExportId, type ObjectId } from '../store/ids.js';
import type { Store } from '../store/store.js';
import { WalSync } from '../store/wal-sync.js';
import { BoundedCache, type Unpin } from '../util/bounded-cache.js';
import { GroupCommit, type GroupCommitOptions, type GroupCommitStats } from './group-commit.js';
import { CatalogRows } from './rows.js';
import { type CatalogLink, type CatalogObject, FileType } from './types.js';

export interface CatalogOptions extends GroupCommitOptions {
  /** Objects kept in memory (at least 1); objects with changes not yet durable are always kept. */
  readonly cacheCapacity?: number;
}

const DEFAULT_CACHE_CAPACITY = 200_000;
const MAX_PATH_DEPTH = 4096;

/**
 * Every object a handle was ever issued for, with its identity and known names. Changes apply to memory
 * at once and reach the database through group commit: a caller must await durable() before a handle
 * for anything it recorded leaves the server (ids allocated meanwhile are only reused after a crash,
 * and then were never handed out).
 */
export class Catalog {
  readonly #rows: CatalogRows;
  readonly #commit: GroupCommit;
  /** Committed objects as last read or written; every object with changes not yet durable is pinned. */
  readonly #cache: BoundedCache<CacheKey, CatalogObject>;
  /** The pin of each object that is dirty or written but not yet synced (see #releaseIfSettled). */
  readonly #pins = new Map<ObjectId, Unpin>();
  readonly #dirty = new Set<ObjectId>();
  /**
   * Where the uncommitted objects are, so a record looks at the few that matter instead of every pending
   * one (a first READDIRPLUS of a big directory stages thousands): by inode slot, and by every name their
   * pending versions had. Entries may be stale (a name since dropped); users check the object itself.
   * Committed objects are found through the database; these are cleared with each write.
   */
  readonly #dirtyByInode = new Map<string, Set<ObjectId>>();
  readonly #dirtyByName = new Map<string, Set<ObjectId>>();
  readonly #newRoots = new Map<ExportId, ObjectId>();
  readonly #newKernelHandles = new Map<ObjectId, Buffer>();
  /**
   * Written since the last WAL sync began, and covered by the sync under way: both are handed back to
   * the pending sets if a sync fails; the second is settled when its sync succeeds. (A written() commit
   * may land while a sync runs, so the two are kept apart.)
   */
  readonly #written = new WrittenChanges();
  readonly #syncing = new WrittenChanges();
  readonly #rootByExport: Map<ExportId, ObjectId>;
  #nextId: bigint;
  readonly #wal: WalSync;

  constructor(store: Store, options: CatalogOptions = {}) {
    this.#rows = new CatalogRows(store.db);
    // At least one: an object with pending changes must be cached to be pinned.
    this.#cache = new BoundedCache({
      capacity: Math.max(1, options.cacheCapacity ?? DEFAULT_CACHE_CAPACITY),
    });
    this.#rootByExport = this.#rows.roots();
    this.#nextId = this.#rows.highWaterMark() + 1n;
    this.#wal = new WalSync(store.file);
    this.#commit = new GroupCommit(
      () => this.#writePending(),
      () => this.#dirty.size + this.#newRoots.size + this.#newKernelHandles.size,
      {
        ...options,
        sync: options.sync ?? this.#wal,
        onLost: () => this.#writeAgain(),
        onSyncStart: () => this.#syncing.absorb(this.#written),
        onDurable: () => this.#settleSynced(),
      },
    );
  }

  /** The export's root object, created (and committed before returning) on first use. */
  root(exportId: ExportId, ident: FileIdentity): CatalogObject {
    const known = this.#rootByExport.get(exportId);
    if (known !== undefined) return this.#mustGet(known);
    const root = this.#create(exportId, ident, FileType.NF3DIR, []);
    this.#rootByExport.set(exportId, root.id);
    this.#newRoots.set(exportId, root.id);
    this.#commit.flushNow();
    return root;
  }

  rootId(exportId: ExportId): ObjectId | undefined {
    return this.#rootByExport.get(exportId);
  }

  get(id: ObjectId): CatalogObject | undefined {
    const cached = this.#cache.get(cacheKey(id));
    if (cached !== undefined) return cached;
    const loaded = this.#rows.load(id);
    if (loaded) this.#cache.set(cacheKey(id), loaded);
    return loaded;
  }

  /** How many object ids were ever assigned (ids are never reused, and rows are never deleted). */
  get size(): number {
    return Number(this.#nextId - 1n);
  }

  /** The live object with this identity (same inode number and birth time; dev+ino if btime is 0n). */
  findByIdentity(exportId: ExportId, ident: FileIdentity): CatalogObject | undefined {
    const o = this.#withIdentity(exportId, ident);
    return o?.state === 'live' ? o : undefined;
  }

  /**
   * Records that `name` in `parentId` is the object with identity `ident` (LOOKUP, READDIRPLUS, CREATE,
   * MKDIR, SYMLINK, MKNOD, LINK). Returns the object, new or known. Await durable() before handing out
   * a handle for it.
   */
  recordLink(
    exportId: ExportId,
    parentId: ObjectId,
    name: Buffer,
    ident: FileIdentity,
    type: FileType,
    linksLeftOf?: (displaced: CatalogObject) => bigint | undefined,
  ): CatalogObject {
    this.#checkParent(exportId, parentId);
    const link: CatalogLink = Object.freeze({ parentId, name: Buffer.from(name) });
    // Who the name referred to until now, looked up once for everything below.
    const holder = this.#linkOwner(parentId, link.name);
    if (holder) this.#adoptStrongerIdentity(exportId, holder, ident);
    // Same inode number, different birth time: the old object was deleted and its inode reused.
    for (const o of this.#atInode(exportId, ident)) {
      if (o.state === 'live' && o.ident.btime !== ident.btime) this.#update(o, { state: 'gone', links: [] });
    }
    const found = this.#withIdentity(exportId, ident);
    // The name now refers to another object: the one it referred to loses it (and lives on if the
    // filesystem says it has names left, `linksLeftOf`).
    const displaced = holder && holder.id !== found?.id ? this.get(holder.id) : undefined;
    if (displaced?.links.some((l) => sameLink(l, link)))
      this.#dropName(displaced, parentId, link.name, linksLeftOf?.(displaced));
    if (!found) return this.#create(exportId, ident, type, [link]);

    const links =
      found.type === FileType.NF3DIR
        ? [link] // a directory has exactly one name: finding it elsewhere means it moved
        : found.links.some((l) => sameLink(l, link))
          ? found.links
          : [...found.links, link];
    return this.#update(found, { state: 'live', type, links });
  }

  /** The object the catalog lists under `name` in `parentId`, if any. */
  holderOf(parentId: ObjectId, name: Buffer): CatalogObject | undefined {
    return this.#linkOwner(parentId, name);
  }

  /**
   * The object was found under a name it is known by, and the filesystem now tells more about it than
   * the row holds (see #adoptStrongerIdentity): the row takes the stronger identity. Returns the object.
   */
  strengthenIdentity(id: ObjectId, ident: FileIdentity): CatalogObject {
    const o = this.#mustGet(id);
    if (o.ident.btime !== 0n || ident.btime === 0n || !sameInode(o.ident, ident)) return o;
    return this.#update(o, { ident: Object.freeze({ dev: ident.dev, ino: ident.ino, btime: ident.btime }) });
  }

  /**
   * Rows recorded before their export's filesystem was told apart by more than its inode numbers (an
   * upgrade to kernel-handle generations on a filesystem without birth times) hold an empty birth time.
   * Found again under the very name they are known by, with the same inode number, they take the new
   * identity instead of being taken for a deleted object: the same trust as before the upgrade, once.
   */
  #adoptStrongerIdentity(exportId: ExportId, holder: CatalogObject, ident: FileIdentity): void {
    if (ident.btime !== 0n && holder.exportId === exportId && holder.state === 'live')
      this.strengthenIdentity(holder.id, ident);
  }

  /**
   * REMOVE, RMDIR, or the target of a RENAME. `linksLeft` is how many names the filesystem says the
   * object still has: 0 makes it gone whatever names the catalog still lists (they are stale); above 0
   * it stays live even when the catalog knows none of them, and is found again under another name when
   * used (as a moved object is). Undefined (not known): gone when its last known name goes.
   */
  removeLink(parentId: ObjectId, name: Buffer, linksLeft?: bigint): CatalogObject | undefined {
    const owner = this.#linkOwner(parentId, name);
    return owner ? this.#dropName(owner, parentId, name, linksLeft) : undefined;
  }

  /**
   * RENAME: the name moves, the object (and so everything under a directory) keeps its id. A name at
   * the destination is taken over. Returns the renamed object, or undefined if the source was unknown.
   */
  moveLink(
    fromParent: ObjectId,
    fromName: Buffer,
    toParent: ObjectId,
    toName: Buffer,
    replacedLinksLeft?: bigint,
  ): CatalogObject | undefined {
    const owner = this.#linkOwner(fromParent, fromName);
    if (!owner) return undefined;
    const target = this.#linkOwner(toParent, toName);
    // Renaming one hard link of a file onto another link of the same file does nothing (POSIX).
    if (target?.id === owner.id) return owner;
    const dest = this.get(toParent);
    if (!dest) throw new Error(`rename into unknown directory ${toParent}`);
    if (target) this.#dropName(target, toParent, toName, replacedLinksLeft);
    const current = this.#mustGet(owner.id);
    const to: CatalogLink = Object.freeze({ parentId: toParent, name: Buffer.from(toName) });
    const links = current.links.map((l) => (l.parentId === fromParent && l.name.equals(fromName) ? to : l));
    return this.#update(current, { links });
  }

  /** Keeps the kernel's handle of an object (written with the next commit; a hint, never a proof). */
  setKernelHandle(id: ObjectId, handle: Buffer): void {
    this.#mustGet(id);
    this.#newKernelHandles.set(id, Buffer.from(handle));
    this.#commit.changed();
  }

  /** The kernel handle recorded for an object, if any. */
  kernelHandle(id: ObjectId): Buffer | undefined {
    return this.#newKernelHandles.get(id) ?? this.#rows.kernelHandle(id);
  }

  /**
   * The export's filesystem now has another device number (remounted): every object of the export
   * moves to it, so identities keep matching. Called at start, before any handle is resolved.
   */
  rebaseDevice(exportId: ExportId, from: bigint, to: bigint): number {
    const changed = this.#rows.rebaseDevice(exportId, from, to);
    // Cached objects move too, in place: one with changes still pending keeps them (and its pin).
    for (const [key, o] of [...this.#cache.entries()]) {
      if (o.exportId !== exportId || o.ident.dev !== from) continue;
      const moved: CatalogObject = Object.freeze({ ...o, ident: Object.freeze({ ...o.ident, dev: to }) });
      this.#cache.set(key, moved);
      if (this.#dirty.has(o.id)) this.#markDirty(moved);
    }
    return changed;
  }

  /** The object no longer exists (its identity no longer matches, or it vanished). */
  markGone(id: ObjectId): void {
    const o = this.get(id);
    if (o && o.state !== 'gone') this.#update(o, { state: 'gone', links: [] });
  }

  /** The object was found again under `name` in `parentId`: that becomes its only known name. */
  relink(id: ObjectId, parentId: ObjectId, name: Buffer): CatalogObject {
    const o = this.#mustGet(id);
    this.#checkParent(o.exportId, parentId);
    this.#takeName(parentId, name, id);
    const link: CatalogLink = Object.freeze({ parentId, name: Buffer.from(name) });
    return this.#update(this.#mustGet(id), { state: 'live', links: [link] });
  }

  /**
   * The names leading from the export root down to the object, through each object's first link whose
   * parent is live: [] for a root, undefined if the chain is broken (or the object is unknown or gone).
   */
  pathOf(id: ObjectId): CatalogLink[] | undefined {
    const chain: CatalogLink[] = [];
    let current = this.get(id);
    if (current?.state !== 'live') return undefined;
    while (this.#rootByExport.get(current.exportId) !== current.id) {
      if (chain.length >= MAX_PATH_DEPTH) return undefined;
      const link: CatalogLink | undefined = current.links.find((l) => this.get(l.parentId)?.state === 'live');
      if (!link) return undefined;
      chain.push(link);
      current = this.get(link.parentId)!;
    }
    return chain.reverse();
  }

  /**
   * Resolves once every change recorded so far is committed and the WAL synced: it survives a power cut
   * (shared with concurrent callers). Rejects if the commit or the sync failed.
   */
  durable(): Promise<void> {
    return this.#commit.durable();
  }

  /**
   * Resolves once every change recorded so far is committed: the WAL is written (it survives the
   * process being killed, not a power cut), without waiting for its fsync, which follows in the
   * background as for durable(). For exports with `async`. Rejects if the commit failed.
   */
  written(): Promise<void> {
    return this.#commit.written();
  }

  /** Commits pending changes now and stops the timer (for shutdown). */
  close(): void {
    this.#commit.flushNow();
    this.#commit.stop();
    this.#wal.close();
  }

  get commitStats(): GroupCommitStats {
    return this.#commit.stats;
  }

  #checkParent(exportId: ExportId, parentId: ObjectId): void {
    const parent = this.get(parentId);
    if (!parent || parent.exportId !== exportId) {
      throw new Error(`parent ${parentId} is not an object of export ${exportId}`);
    }
  }

  #mustGet(id: ObjectId): CatalogObject {
    const o = this.get(id);
    if (!o) throw new Error(`catalog object ${id} does not exist`);
    return o;
  }

  /**
   * The object with this identity: a live one, else a gone one found again (only when the birth time is
   * known: with btime 0n a reused inode would be taken for the old object).
   */
  #withIdentity(exportId: ExportId, ident: FileIdentity): CatalogObject | undefined {
    let gone: CatalogObject | undefined;
    for (const o of this.#atInode(exportId, ident)) {
      if (o.ident.btime !== ident.btime) continue;
      if (o.state === 'live') return o;
      if (ident.btime !== 0n && (!gone || o.id > gone.id)) gone = o;
    }
    return gone;
  }

  /** Every object, committed or not, recorded at this inode slot, as memory knows it now. */
  #atInode(exportId: ExportId, ident: FileIdentity): CatalogObject[] {
    const ids = new Set<ObjectId>(this.#rows.idsAtInode(exportId, ident));
    for (const id of this.#dirtyByInode.get(inodeKey(ident)) ?? []) ids.add(id);
    const found: CatalogObject[] = [];
    for (const id of ids) {
      const o = this.get(id);
      if (o && o.exportId === exportId && sameInode(o.ident, ident)) found.push(o);
    }
    return found;
  }

  /** The object that `name` in `parentId` currently refers to, uncommitted changes included. */
  #linkOwner(parentId: ObjectId, name: Buffer): CatalogObject | undefined {
    const candidates = new Set<ObjectId>();
    const committed = this.#rows.linkOwnerId(parentId, name);
    if (committed !== undefined) candidates.add(committed);
    for (const id of this.#dirtyByName.get(nameKey(parentId, name)) ?? []) candidates.add(id);
    for (const id of candidates) {
      const o = this.get(id);
      if (o?.links.some((l) => l.parentId === parentId && l.name.equals(name))) return o;
    }
    return undefined;
  }

  /** The name is about to refer to `newOwner`: whichever other object held it loses it. */
  #takeName(parentId: ObjectId, name: Buffer, newOwner: ObjectId | undefined): void {
    const holder = this.#linkOwner(parentId, name);
    if (holder && holder.id !== newOwner) this.#dropName(holder, parentId, name);
  }

  #dropName(owner: CatalogObject, parentId: ObjectId, name: Buffer, linksLeft?: bigint): CatalogObject {
    if (linksLeft === 0n) return this.#update(owner, { links: [], state: 'gone' });
    const links = owner.links.filter((l) => !(l.parentId === parentId && l.name.equals(name)));
    if (links.length > 0 || linksLeft === undefined)
      return this.#update(owner, { links, state: links.length === 0 ? 'gone' : owner.state });
    // Names the catalog never saw remain: the directory it was last seen in is where to look first.
    return this.#update(owner, { links, lastDir: parentId });
  }

  #create(exportId: ExportId, ident: FileIdentity, type: FileType, links: CatalogLink[]): CatalogObject {
    const o: CatalogObject = Object.freeze({
      id: asObjectId(this.#nextId++),
      exportId,
      ident: Object.freeze({ dev: ident.dev, ino: ident.ino, btime: ident.btime }),
      type,
      generation: randomBytes(4).readUInt32BE(0),
      state: 'live',
      links: Object.freeze(links),
    });
    this.#stage(o);
    return o;
  }

  #update(
    o: CatalogObject,
    change: Partial<Pick<CatalogObject, 'state' | 'type' | 'links' | 'lastDir' | 'ident'>>,
  ): CatalogObject {
    // A LOOKUP of a known name changes nothing and must not cost a commit.
    const unchanged =
      (change.ident === undefined || change.ident === o.ident) &&
      (change.state ?? o.state) === o.state &&
      (change.type ?? o.type) === o.type &&
      (change.lastDir ?? o.lastDir) === o.lastDir &&
      (change.links === undefined || sameLinks(change.links, o.links));
    if (unchanged) return o;
    const next: CatalogObject = Object.freeze({
      ...o,
      ...change,
      links: Object.freeze([...(change.links ?? o.links)]),
    });
    this.#stage(next);
    return next;
  }

  #stage(o: CatalogObject): void {
    this.#cache.set(cacheKey(o.id), o);
    this.#markDirty(o);
    this.#commit.changed();
  }

  #markDirty(o: CatalogObject): void {
    this.#dirty.add(o.id);
    if (!this.#pins.has(o.id)) this.#pins.set(o.id, this.#cache.pin(cacheKey(o.id))!);
    addTo(this.#dirtyByInode, inodeKey(o.ident), o.id);
    for (const l of o.links) addTo(this.#dirtyByName, nameKey(l.parentId, l.name), o.id);
  }

  /** The object's changes are durable (or it has none): the cache may evict it again. */
  #releaseIfSettled(id: ObjectId): void {
    if (this.#dirty.has(id) || this.#written.objects.has(id) || this.#syncing.objects.has(id)) return;
    this.#pins.get(id)?.();
    this.#pins.delete(id);
  }

  #writePending(): number {
    const objects = [...this.#dirty].map((id) => this.#cache.peek(cacheKey(id))!);
    // The WAL is synced by the group commit (WalSync), off the event loop; see GroupCommitOptions.sync.
    this.#rows.writeBatchUnsynced(objects, this.#newRoots, this.#newKernelHandles);
    const written = objects.length + this.#newRoots.size + this.#newKernelHandles.size;
    for (const o of objects) this.#written.objects.add(o.id);
    for (const [exportId, id] of this.#newRoots) this.#written.roots.set(exportId, id);
    for (const [id, handle] of this.#newKernelHandles) this.#written.kernelHandles.set(id, handle);
    this.#dirty.clear();
    this.#dirtyByInode.clear();
    this.#dirtyByName.clear();
    this.#newRoots.clear();
    this.#newKernelHandles.clear();
    return written;
  }

  /** The sync under way succeeded: what it covered is durable. */
  #settleSynced(): void {
    const settled = [...this.#syncing.objects];
    this.#syncing.clear();
    for (const id of settled) this.#releaseIfSettled(id);
  }

  /** A sync failed: rows written since the last good one are written again by the next commit. */
  #writeAgain(): void {
    // Newer first: a kernel handle or root already pending again wins over an older written one.
    for (const lost of [this.#written, this.#syncing]) {
      for (const id of lost.objects) this.#markDirty(this.#cache.peek(cacheKey(id))!);
      for (const [exportId, id] of lost.roots)
        if (!this.#newRoots.has(exportId)) this.#newRoots.set(exportId, id);
      for (const [id, handle] of lost.kernelHandles)
        if (!this.#newKernelHandles.has(id)) this.#newKernelHandles.set(id, handle);
      lost.clear();
    }
  }
}

/** Rows, export roots and kernel handles written to the WAL whose sync has not yet succeeded. */
class WrittenChanges {
  readonly objects = new Set<ObjectId>();
  readonly roots = new Map<ExportId, ObjectId>();
  readonly kernelHandles = new Map<ObjectId, Buffer>();

  /** Takes over everything `other` holds (its versions are newer), leaving it empty. */
  absorb(other: WrittenChanges): void {
    for (const id of other.objects) this.objects.add(id);
    for (const [exportId, id] of other.roots) this.roots.set(exportId, id);
    for (const [id, handle] of other.kernelHandles) this.kernelHandles.set(id, handle);
    other.clear();
  }

  clear(): void {
    this.objects.clear();
    this.roots.clear();
    this.kernelHandles.clear();
  }
}

/**
 * The object cache's key for an id: a number wherever that is exact (every id below 2^53, which is all
 * of them in practice), since a map keyed by small integers finds them without reading a BigInt from the
 * heap; the id itself above that (a number and a BigInt are never the same key).
 */
type CacheKey = number | ObjectId;
function cacheKey(id: ObjectId): CacheKey {
  return id <= MAX_EXACT_NUMBER ? Number(id) : id;
}
const MAX_EXACT_NUMBER = BigInt(Number.MAX_SAFE_INTEGER);

function sameLink(a: CatalogLink, b: CatalogLink): boolean {
  return a.parentId === b.parentId && a.name.equals(b.name);
}

function sameLinks(a: readonly CatalogLink[], b: readonly CatalogLink[]): boolean {
  return a.length === b.length && a.every((l, i) => sameLink(l, b[i]!));
}

function inodeKey(ident: FileIdentity): string {
  return `${ident.dev}:${ident.ino}`;
}

function nameKey(parentId: ObjectId, name: Buffer): string {
  return `${parentId}/${name.toString('latin1')}`;
}

function addTo(index: Map<string, Set<ObjectId>>, key: string, id: ObjectId): void {
  const ids = index.get(key);
  if (ids) ids.add(id);
  else index.set(key, new Set([id]));
}
