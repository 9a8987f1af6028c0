import { closeSync, readlink } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import { FileType as CatalogFileType, type CatalogObject } from '../catalog/types.js';
import type { Key } from '../handles/keyring.js';
import type { FileHandle, HandleSealer } from '../handles/sealer.js';
import { nfsStatusForRefusal } from '../handles/sealer.js';
import type { ObjectId } from '../store/ids.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { type Attrs, attrsFromStats } from '../vfs/attrs.js';
import type { Resolved } from '../vfs/confined-fs.js';
import { SERVER_CALLER as SERVER } from '../vfs/credentials.js';
import { statFd } from '../vfs/fs-calls.js';
import { pathComponents } from '../vfs/names.js';
import type { NodeCache } from '../vfs/node-cache.js';
import { PinScope } from '../vfs/pin-scope.js';
import { FileType, type Identity, sameIdentity, type VNode } from '../vfs/types.js';
import { nfsstat3 } from '../xdr/generated/nfs3.js';
import type { ExportRuntime } from './export-runtime.js';
import { NotDurableError } from './not-durable.js';
import { ObjectLocks } from './object-locks.js';
import { realExportPath } from './real-export-path.js';
import type { NfsError } from './status.js';

const NAME_MEMO_LIMIT = 200_000;
const HANDLE_MEMO_LIMIT = 200_000;

function nameKey(dirId: ObjectId, name: Buffer): string {
  return `${dirId}/${name.toString('latin1')}`;
}

/** Deeper than any catalog chain can be: bounds the recursion through parents. */
const MAX_DEPTH = 4096;
/** A ctime at least this old (ns) cannot be repeated by a later change (timestamps move by clock ticks). */
const TRUSTED_CTIME_AGE_NS = 50_000_000n;

/** How many entries a search for a moved object may stat in its last known directory. */
const MOVED_SEARCH_LIMIT = 100_000;
/** How many entries a search of the whole export may stat before giving up (the handle is then STALE). */
const EXPORT_SEARCH_LIMIT = 200_000;

export type HandleRefusalReason = string;

/** Where a cached descriptor's object is: where the catalog says, moved (look again), or deleted. */
type Placement = 'in-place' | 'moved' | 'deleted';

/** Filled with the object's attributes when resolving it read them during the request. */
interface Fresh {
  attrs?: Attrs;
}

export type ObjectLookup =
  | {
      readonly ok: true;
      readonly exp: ExportRuntime;
      readonly obj: CatalogObject;
      readonly node: VNode;
      /** The object's attributes, when resolving it read them during this request. */
      readonly attrs?: Attrs;
    }
  | { readonly ok: false; readonly status: NfsError; readonly reason: HandleRefusalReason };

export type Identified =
  | { readonly ok: true; readonly exp: ExportRuntime; readonly obj: CatalogObject }
  | { readonly ok: false; readonly status: NfsError; readonly reason: HandleRefusalReason };

/**
 * The kernel's own file handles (name_to_handle_at / open_by_handle_at), where the platform offers them
 * and the server may use them (CAP_DAC_READ_SEARCH). They only ever serve as a hint to find an object
 * again: what they open is checked by identity and reached again by a confined walk from the export root.
 */
export interface KernelHandles {
  /** The kernel handle of the object `node` holds, or undefined. */
  capture(node: VNode): Buffer | undefined;
  /** An O_PATH descriptor of the object `handle` names, opened through `mountFd`'s filesystem. */
  open(mountFd: number, handle: Buffer): Promise<number | undefined>;
}

export interface ObjectsOptions {
  readonly sealer: HandleSealer;
  readonly catalog: Catalog;
  readonly nodes: NodeCache;
  readonly exports: ReadonlyMap<number, ExportRuntime>;
  /** Told how an object missing from its known names was found again (logs). */
  readonly onFoundAgain?: (
    how: 'kernel-handle' | 'last-directory' | 'export-search',
    obj: CatalogObject,
  ) => void;
  /** Kernel file handles, when available: recorded with new objects, used to find moved ones. */
  readonly kernelHandles?: KernelHandles;
  /** The key that seals new handles, so sealed handles can be reused while it stays active. */
  readonly activeKey?: () => Key;
  /** Called for every refused handle, with the reason (metrics). */
  readonly onRefusal?: (reason: string) => void;
}

/**
 * Turns handles into live objects and objects into handles. A handle is opened (MAC checked) before
 * anything else happens: a handle the server did not issue never reaches the catalog or the
 * filesystem. A known object is served from the descriptor cache; otherwise it is found again by walking
 * its catalog path from the export root, verifying the identity (inode + birth time) at every step, so a
 * handle resolves to its own object or to NFS3ERR_STALE, never to another.
 */
export class Objects {
  /** Per-object locks for namespace changes and SETATTR (see object-locks.ts). */
  readonly locks = new ObjectLocks();
  /** (directory, name) -> object, for names recently recorded; verified against the catalog on use. */
  private readonly names = new BoundedCache<string, ObjectId>({ capacity: NAME_MEMO_LIMIT });
  /** Sealed handles of objects seen again, with the key that sealed them (HMACs saved). */
  private readonly handles = new BoundedCache<ObjectId, { readonly fh: FileHandle; readonly key: Key }>({
    capacity: HANDLE_MEMO_LIMIT,
  });
  /** Objects whose kernel file handle this process recorded. */
  private readonly kernelCaptured = new BoundedCache<ObjectId, true>({ capacity: NAME_MEMO_LIMIT });
  /** Cached objects whose name was confirmed: the descriptor, its ctime then and the parent it was in. */
  private readonly placed = new BoundedCache<ObjectId, { fd: number; ctimeNs: bigint; parentId: ObjectId }>({
    capacity: NAME_MEMO_LIMIT,
  });
  /** Objects (and the descriptor checked) found in place during the current turn of the event loop. */
  private readonly checkedThisTurn = new Map<ObjectId, number>();
  /** Placement checks under way, by object and descriptor: requests arriving meanwhile share them. */
  private readonly checking = new Map<ObjectId, { fd: number; where: Promise<Placement> }>();

  constructor(private readonly o: ObjectsOptions) {}

  handleFor(exp: ExportRuntime, obj: CatalogObject): FileHandle {
    // Sealing costs an HMAC: handles of objects seen again (READDIRPLUS of a big directory) are reused
    // while the very key that sealed them is still the active one. The key itself is compared, not its
    // id: ids of retired keys are recycled, and a handle sealed with a retired key is STALE.
    const key = this.o.activeKey?.();
    const memo = this.handles.get(obj.id);
    if (
      memo &&
      key !== undefined &&
      (memo.key === key || memo.key.secret.equals(key.secret)) &&
      memo.fh.readUInt32BE(12) === obj.generation
    ) {
      return memo.fh;
    }
    const fh = this.o.sealer.seal(exp.id, obj.id, obj.generation);
    // The key that sealed it: seal() reads the active key itself, which is the same object unless
    // another process rotated meanwhile, and then the next call simply seals again.
    const sealedWith = this.o.activeKey?.();
    if (sealedWith !== undefined && fh[1] === sealedWith.id) {
      this.handles.set(obj.id, { fh, key: sealedWith });
    }
    return fh;
  }

  /** The object the catalog knows under `name` in directory `dirId`, if it was recorded recently. */
  known(dirId: ObjectId, name: Buffer): CatalogObject | undefined {
    const id = this.names.get(nameKey(dirId, name));
    if (id === undefined) return undefined;
    const o = this.o.catalog.get(id);
    if (o?.state !== 'live' || !o.links.some((l) => l.parentId === dirId && l.name.equals(name)))
      return undefined;
    return o;
  }

  /**
   * Verifies a handle and finds its catalog object, without touching the filesystem: a handle the server
   * did not issue, or one of an object that is gone, stops here.
   */
  identify(fh: Buffer): Identified {
    const opened = this.o.sealer.open(fh);
    if (!opened.ok) {
      const status =
        nfsStatusForRefusal(opened.reason) === 'BADHANDLE'
          ? nfsstat3.NFS3ERR_BADHANDLE
          : nfsstat3.NFS3ERR_STALE;
      return this.refuse(status, opened.reason);
    }
    const { exportId, objectId, generation } = opened.fields;
    const exp = this.o.exports.get(exportId);
    if (!exp) return this.refuse(nfsstat3.NFS3ERR_STALE, 'export-not-served');
    const obj = this.o.catalog.get(objectId as ObjectId);
    if (!obj || obj.exportId !== exp.id) return this.refuse(nfsstat3.NFS3ERR_STALE, 'unknown-object');
    if (obj.generation !== generation) return this.refuse(nfsstat3.NFS3ERR_STALE, 'generation-mismatch');
    if (obj.state !== 'live') return this.refuse(nfsstat3.NFS3ERR_STALE, 'object-gone');
    return { ok: true, exp, obj };
  }

  /**
   * A live descriptor for an identified object, or STALE when it cannot be found any more. With `pins`,
   * the descriptor stays open until they are released.
   */
  async locate(exp: ExportRuntime, obj: CatalogObject, pins?: PinScope): Promise<ObjectLookup> {
    const fresh: Fresh = {};
    const node = await this.nodeOf(exp, obj, pins, fresh);
    if (!node) return this.refuse(nfsstat3.NFS3ERR_STALE, 'object-not-found');
    return { ok: true, exp, obj, node, ...(fresh.attrs && { attrs: fresh.attrs }) };
  }

  /** identify() then locate(). */
  async resolve(fh: Buffer, pins?: PinScope): Promise<ObjectLookup> {
    const found = this.identify(fh);
    return found.ok ? this.locate(found.exp, found.obj, pins) : found;
  }

  private refuse(
    status: NfsError,
    reason: string,
  ): { readonly ok: false; readonly status: NfsError; readonly reason: string } {
    this.o.onRefusal?.(reason);
    return { ok: false, status, reason };
  }

  /**
   * A live descriptor for the object, inside the export now: cached and still in place (see
   * `placement`), or rebuilt from the catalog. A cached object deleted on the host is gone at once; one
   * moved by a local process is looked for again, and is STALE if it left the export. Pinned in `pins`
   * when given; the export root is the export's own and never closed by the cache.
   */
  async nodeOf(
    exp: ExportRuntime,
    obj: CatalogObject,
    pins?: PinScope,
    fresh?: Fresh,
  ): Promise<VNode | undefined> {
    if (obj.id === exp.rootId) return exp.root;
    // The directories a check or a rebuild walks through (and searches) are pinned only while it runs:
    // caching each step's descriptor must not close the directory the next step looks in.
    return PinScope.runAsync(async (walk) => {
      const node = await this.nodeAt(exp, obj, 0, walk, fresh);
      if (node && pins && !this.o.nodes.pin(node, pins)) return undefined;
      return node;
    });
  }

  private async nodeAt(
    exp: ExportRuntime,
    obj: CatalogObject,
    depth: number,
    pins: PinScope,
    fresh?: Fresh,
  ): Promise<VNode | undefined> {
    if (obj.id === exp.rootId) return exp.root;
    if (depth > MAX_DEPTH) return undefined;
    const cached = this.o.nodes.get(obj.id, pins);
    if (cached) {
      const where = await this.placementShared(exp, obj, cached, depth, pins, fresh);
      if (where === 'in-place') return cached;
      // Only this descriptor: another request may have cached a fresh one meanwhile.
      this.o.nodes.deleteIf(obj.id, cached);
      if (this.placed.get(obj.id)?.fd === cached.fd) this.placed.delete(obj.id);
      if (where === 'deleted') {
        // No name left anywhere: nothing can bring it back, and a descriptor kept open keeps its space.
        exp.data.forget(obj.ident);
        exp.dataReadOnly.forget(obj.ident);
        this.o.catalog.markGone(obj.id);
        return undefined;
      }
    }
    return this.rebuild(exp, obj, depth, pins);
  }

  /**
   * Whether a cached descriptor's object is still where the catalog says, inside the export. Checked on
   * every use, cheaply: an fstat (which also catches an object deleted on the host, nlink 0), and while
   * its ctime is the one seen when its name was last confirmed, nothing renamed it (rename changes the
   * ctime of what it moves), so it is in place if its parent is, checked the same way up to the root:
   * one fstat per level. Only when a ctime changed is the name looked up again in the parent (one statx).
   */
  private placementShared(
    exp: ExportRuntime,
    obj: CatalogObject,
    node: VNode,
    depth: number,
    pins: PinScope,
    fresh?: Fresh,
  ): Promise<Placement> | Placement {
    if (this.checkedThisTurn.get(obj.id) === node.fd) return 'in-place';
    const under = this.checking.get(obj.id);
    if (under !== undefined && under.fd === node.fd) return under.where;
    // Only the request that starts a check may use its stat as its own attributes: one that joined a
    // check begun before it arrived could be told of a state older than a change it already saw.
    const where = this.placement(exp, obj, node, depth, pins, fresh).finally(() => {
      if (this.checking.get(obj.id)?.where === where) this.checking.delete(obj.id);
    });
    this.checking.set(obj.id, { fd: node.fd, where });
    return where;
  }

  private async placement(
    exp: ExportRuntime,
    obj: CatalogObject,
    node: VNode,
    depth: number,
    pins: PinScope,
    fresh?: Fresh,
  ): Promise<Placement> {
    // The usual case (its ctime unchanged since its name was confirmed) needs the parent checked too:
    // that check starts at once, so a chain of directories costs one round trip, not one per level.
    const seen = this.placed.get(obj.id);
    const seenParent = seen && seen.fd === node.fd ? this.o.catalog.get(seen.parentId) : undefined;
    const parentCheck =
      seenParent?.state === 'live' ? this.nodeAt(exp, seenParent, depth + 1, pins) : undefined;
    // Settled even when not awaited below (a changed ctime), so a failure is never left unhandled.
    parentCheck?.catch(() => undefined);
    const stamp = await exp.fs.changeStamp(node);
    if (!stamp.ok) {
      await parentCheck;
      return stamp.errno === 'ESTALE' ? 'deleted' : 'moved';
    }
    if (fresh) fresh.attrs = attrsFromStats(stamp.value);
    const ctimeNs = stamp.value.ctimeNs;
    let where: 'in-place' | 'moved' = 'moved';
    if (seen && seen.fd === node.fd && seen.ctimeNs === ctimeNs) {
      where = parentCheck !== undefined && (await parentCheck) ? 'in-place' : 'moved';
    } else {
      await parentCheck;
      for (const link of obj.links) {
        const parent = this.o.catalog.get(link.parentId);
        if (parent?.state !== 'live') continue;
        const dir = await this.nodeAt(exp, parent, depth + 1, pins);
        if (!dir) continue;
        const there = await exp.fs.entryIdentity(dir, link.name);
        if (!there.ok || !sameIdentity(there.value.ident, obj.ident)) continue;
        // A ctime younger than a clock tick could be repeated by a rename in the same tick: not trusted.
        if (BigInt(Date.now()) * 1_000_000n - ctimeNs > TRUSTED_CTIME_AGE_NS) {
          this.placed.set(obj.id, { fd: node.fd, ctimeNs, parentId: parent.id });
        }
        where = 'in-place';
        break;
      }
    }
    if (where === 'in-place') this.markChecked(obj.id, node.fd);
    return where;
  }

  /**
   * Requests handled in one turn of the event loop share a check: nothing of ours runs between them,
   * and a local rename racing with them could as well have come a moment later.
   */
  private markChecked(id: ObjectId, fd: number): void {
    if (this.checkedThisTurn.size === 0) setImmediate(() => this.checkedThisTurn.clear());
    this.checkedThisTurn.set(id, fd);
  }

  private async rebuild(
    exp: ExportRuntime,
    obj: CatalogObject,
    depth: number,
    pins: PinScope,
  ): Promise<VNode | undefined> {
    if (depth > MAX_DEPTH) return undefined;
    for (const link of [...obj.links]) {
      const parent = this.o.catalog.get(link.parentId);
      if (parent?.state !== 'live') continue;
      const dir = await this.nodeAt(exp, parent, depth + 1, pins);
      if (!dir) continue;
      const found = await exp.fs.lookup(dir, link.name, SERVER);
      if (!found.ok) continue;
      if (sameIdentity(found.value.node.ident, obj.ident))
        return this.adopt(exp, obj.id, found.value.node, pins);
      const strengthened = this.o.catalog.strengthenIdentity(obj.id, found.value.node.ident);
      if (sameIdentity(found.value.node.ident, strengthened.ident))
        return this.adopt(exp, obj.id, found.value.node, pins);
      exp.fs.closeVNode(found.value.node);
    }
    return this.searchMoved(exp, obj, pins);
  }

  /**
   * The object is not under any name the catalog knows (renamed or moved behind the server's back, e.g.
   * while it was down). Look for its identity first among the entries of the directories it was last
   * seen in, then in the whole export, breadth first, within a budget. An object the complete search
   * does not find is gone: it is marked so, and later uses of its handle are refused without a search.
   */
  private async searchMoved(
    exp: ExportRuntime,
    obj: CatalogObject,
    pins: PinScope,
  ): Promise<VNode | undefined> {
    // Nothing tells this object from a later one reusing its inode number (no birth time, no generation):
    // a search, or a kernel handle whose bytes the filesystem may give another object (a FUSE daemon's
    // node ids), could hand out another object. It is found only under a name it is known by.
    if (obj.ident.btime === 0n) return undefined;
    const viaKernel = await this.findByKernelHandle(exp, obj, pins);
    if (viaKernel) {
      this.o.onFoundAgain?.('kernel-handle', obj);
      return viaKernel;
    }
    const lastDirs = obj.links.map((l) => l.parentId);
    if (obj.lastDir !== undefined && !lastDirs.includes(obj.lastDir)) lastDirs.push(obj.lastDir);
    for (const parentId of lastDirs) {
      const parent = this.o.catalog.get(parentId);
      if (parent?.state !== 'live' || parent.type !== FileType.DIR) continue;
      // The directory a removed name was in is worth finding again; a renamed one only if still cached
      // (and then still in place).
      const worthFinding =
        this.o.nodes.get(parent.id) !== undefined || (obj.links.length === 0 && parentId === obj.lastDir);
      const dir =
        parent.id === exp.rootId
          ? exp.root
          : worthFinding
            ? await this.nodeAt(exp, parent, 1, pins)
            : undefined;
      if (!dir) continue;
      const hit = await this.findIn(exp, dir, obj, MOVED_SEARCH_LIMIT);
      if (hit.found) {
        this.o.catalog.relink(obj.id, parent.id, hit.name);
        this.o.onFoundAgain?.('last-directory', obj);
        return this.adopt(exp, obj.id, hit.node, pins);
      }
    }
    return this.searchExport(exp, obj, pins);
  }

  /** Records the kernel handle of an object the first time this process sees it. */
  private captureKernelHandle(id: ObjectId, node: VNode): void {
    const kh = this.o.kernelHandles;
    if (!kh || this.kernelCaptured.has(id)) return;
    this.kernelCaptured.set(id, true);
    const handle = kh.capture(node);
    if (handle) this.o.catalog.setKernelHandle(id, handle);
  }

  /**
   * Opens the object by its kernel handle, checks it is the same object and where it is now, and reaches
   * it again from the export root by a confined walk (so an object moved out of the export is not served).
   */
  private async findByKernelHandle(
    exp: ExportRuntime,
    obj: CatalogObject,
    pins: PinScope,
  ): Promise<VNode | undefined> {
    const kh = this.o.kernelHandles;
    const handle = kh && this.o.catalog.kernelHandle(obj.id);
    if (!kh || !handle) return undefined;
    const fd = await kh.open(exp.root.fd, handle);
    if (fd === undefined) return undefined;
    let where: Buffer | undefined;
    try {
      const seen = await statFd(fd);
      if (!seen.ok || seen.value.st.nlink === 0n || !sameIdentity(seen.value.ident, obj.ident))
        return undefined;
      where = await new Promise<Buffer | undefined>((settle) =>
        readlink(`/proc/self/fd/${fd}`, { encoding: 'buffer' }, (err, link) =>
          settle(err ? undefined : link),
        ),
      );
    } finally {
      closeSync(fd);
    }
    if (where === undefined) return undefined;
    const prefix = Buffer.from(`${realExportPath(exp)}/`);
    if (!where.subarray(0, prefix.length).equals(prefix)) return undefined;
    const names = pathComponents(where.subarray(prefix.length));
    const last = names.pop();
    if (!last) return undefined;
    const parentId = await this.recordPath(exp, names, pins);
    if (parentId === undefined) return undefined;
    const dir = parentId === exp.rootId ? exp.root : this.o.nodes.get(parentId, pins);
    if (!dir) return undefined;
    const found = await exp.fs.lookup(dir, last, SERVER);
    if (!found.ok) return undefined;
    if (!sameIdentity(found.value.node.ident, obj.ident)) {
      exp.fs.closeVNode(found.value.node);
      return undefined;
    }
    this.o.catalog.relink(obj.id, parentId, last);
    return this.adopt(exp, obj.id, found.value.node, pins);
  }

  /**
   * Breadth-first search of the export for the object; records the path to it when found. Only a search
   * that saw every entry may conclude the object is gone: any entry or directory it could not examine
   * (other than one removed meanwhile) leaves the object as it was.
   */
  private async searchExport(
    exp: ExportRuntime,
    obj: CatalogObject,
    pins: PinScope,
  ): Promise<VNode | undefined> {
    let budget = EXPORT_SEARCH_LIMIT;
    let complete = true;
    const queue: { node: VNode; path: Buffer[] }[] = [{ node: exp.root, path: [] }];
    const opened: VNode[] = [];
    try {
      while (queue.length > 0) {
        const { node: dir, path } = queue.shift()!;
        const listing = await exp.fs.readdir(dir, SERVER);
        if (!listing.ok) {
          complete = false;
          continue;
        }
        for (const entry of listing.value.entries) {
          if (entry.cookie <= 2n) continue;
          if (--budget < 0) return undefined;
          const attrs = await exp.fs.entryAttrs(dir, entry.name);
          if (!attrs.ok) {
            if (attrs.errno !== 'ENOENT') complete = false;
            continue;
          }
          if (attrs.value.fileid === obj.ident.ino) {
            const found = await exp.fs.lookup(dir, entry.name, SERVER);
            if (!found.ok && found.errno !== 'ENOENT') complete = false;
            if (found.ok && sameIdentity(found.value.node.ident, obj.ident)) {
              const parentId = await this.recordPath(exp, path, pins);
              if (parentId === undefined) {
                exp.fs.closeVNode(found.value.node);
                return undefined;
              }
              this.o.catalog.relink(obj.id, parentId, entry.name);
              this.o.onFoundAgain?.('export-search', obj);
              return this.adopt(exp, obj.id, found.value.node, pins);
            }
            if (found.ok) exp.fs.closeVNode(found.value.node);
          }
          if (attrs.value.type === FileType.DIR) {
            const sub = await exp.fs.lookup(dir, entry.name, SERVER);
            if (sub.ok) {
              opened.push(sub.value.node);
              queue.push({ node: sub.value.node, path: [...path, entry.name] });
            } else complete = false;
          }
        }
      }
    } finally {
      for (const n of opened) exp.fs.closeVNode(n);
    }
    if (complete) this.o.catalog.markGone(obj.id);
    return undefined;
  }

  /** Records the directories along `path` (from the export root) and returns the last one's id. */
  private async recordPath(
    exp: ExportRuntime,
    path: readonly Buffer[],
    pins: PinScope,
  ): Promise<ObjectId | undefined> {
    let parentId = exp.rootId;
    let dir = exp.root;
    for (const name of path) {
      const found = await exp.fs.lookup(dir, name, SERVER);
      if (!found.ok) return undefined;
      const o = await this.record(exp, parentId, name, found.value, pins);
      parentId = o.id;
      const node = this.o.nodes.get(o.id, pins);
      if (!node) return undefined;
      dir = node;
    }
    return parentId;
  }

  /** The object among the entries of `dir`, if it is there. Not finding it proves nothing (the search
   * has a budget and skips entries it cannot examine): only searchExport may conclude it is gone. */
  private async findIn(
    exp: ExportRuntime,
    dir: VNode,
    obj: CatalogObject,
    limit: number,
  ): Promise<{ found: true; name: Buffer; node: VNode } | { found: false }> {
    const listing = await exp.fs.readdir(dir, SERVER);
    if (!listing.ok) return { found: false };
    let budget = limit;
    for (const entry of listing.value.entries) {
      if (entry.cookie <= 2n) continue;
      if (--budget < 0) break;
      const fileid = await exp.fs.entryFileid(dir, entry);
      if (!fileid.ok || fileid.value !== obj.ident.ino) continue;
      const found = await exp.fs.lookup(dir, entry.name, SERVER);
      if (!found.ok) continue;
      if (sameIdentity(found.value.node.ident, obj.ident))
        return { found: true, name: entry.name, node: found.value.node };
      exp.fs.closeVNode(found.value.node);
    }
    return { found: false };
  }

  private adopt(_exp: ExportRuntime, id: ObjectId, node: VNode, pins?: PinScope): VNode {
    const existing = this.o.nodes.get(id, pins);
    if (existing) {
      // Another path already cached it: keep one descriptor per object.
      if (existing.fd !== node.fd) _exp.fs.closeVNode(node);
      return existing;
    }
    this.o.nodes.put(id, node, pins);
    return node;
  }

  /**
   * Records that `name` in `dir` is the resolved object, caches its descriptor and returns the catalog
   * object. The caller must await `durable()` before a handle for it leaves the server. With `pins`, the
   * cached descriptor stays open until they are released (for a caller that goes on using it).
   */
  async record(
    exp: ExportRuntime,
    dirId: ObjectId,
    name: Buffer,
    resolved: Resolved,
    pins?: PinScope,
  ): Promise<CatalogObject> {
    // LOOKUP and READDIRPLUS see the same names again and again: when the catalog already has this name
    // for this very object (checked against its in-memory links and identity), nothing needs recording.
    const key = nameKey(dirId, name);
    const knownId = this.names.get(key);
    if (knownId !== undefined) {
      const known = this.o.catalog.get(knownId);
      if (
        known?.state === 'live' &&
        sameIdentity(known.ident, resolved.node.ident) &&
        known.links.some((l) => l.parentId === dirId && l.name.equals(name))
      ) {
        this.adopt(exp, known.id, resolved.node, pins);
        return known;
      }
    }
    // Whether a displaced holder of the name lives on is read from its descriptor before recording
    // (the catalog's recordLink is synchronous and must stay so: it is one in-memory change).
    const displaced = this.displacedBy(dirId, name, resolved.node.ident);
    const linksLeft = displaced === undefined ? undefined : await this.linksLeftOf(exp, displaced);
    const obj = this.o.catalog.recordLink(
      exp.id,
      dirId,
      name,
      resolved.node.ident,
      resolved.attrs.type,
      (o) => (o.id === displaced?.id ? linksLeft : undefined),
    );
    this.names.set(key, obj.id);
    this.captureKernelHandle(obj.id, resolved.node);
    this.adopt(exp, obj.id, resolved.node, pins);
    return obj;
  }

  /**
   * How many names an object displaced from a name (replaced behind the server's back) has left: when its
   * descriptor is cached, the filesystem tells (a hard link the catalog never saw, a directory moved
   * away), and it keeps its handle, found again under its other name when used. Without a descriptor,
   * or with other names the catalog knows, nothing needs telling (undefined).
   */
  private async linksLeftOf(exp: ExportRuntime, displaced: CatalogObject): Promise<bigint | undefined> {
    if (displaced.links.length > 1) return undefined;
    return PinScope.runAsync(async (pins) => {
      const cached = this.o.nodes.get(displaced.id, pins);
      if (!cached) return undefined;
      const now = await exp.fs.getattr(cached);
      if (now.ok) return displaced.type === CatalogFileType.NF3DIR ? 1n : BigInt(now.value.nlink);
      return now.errno === 'ESTALE' ? 0n : undefined;
    });
  }

  /** The live object the catalog lists under `name` in `dirId` if it is not the object `ident`. */
  private displacedBy(dirId: ObjectId, name: Buffer, ident: Identity): CatalogObject | undefined {
    const holder = this.o.catalog.holderOf(dirId, name);
    return holder !== undefined && holder.state === 'live' && !sameIdentity(holder.ident, ident)
      ? holder
      : undefined;
  }

  /**
   * Waits until every catalog change made so far survives what the export promises: on stable storage
   * for a `sync` export (a power cut loses nothing), written to the database for an `async` one (a
   * kill -9 loses nothing; the sync follows in the background, as the kernel writes back file data).
   * NotDurableError if that failed.
   */
  async durable(sync = true): Promise<void> {
    try {
      await (sync ? this.o.catalog.durable() : this.o.catalog.written());
    } catch (err) {
      throw new NotDurableError(err);
    }
  }

  catalogObject(id: ObjectId): CatalogObject | undefined {
    return this.o.catalog.get(id);
  }

  findObject(exp: ExportRuntime, ident: Identity): CatalogObject | undefined {
    return this.o.catalog.findByIdentity(exp.id, ident);
  }

  /**
   * REMOVE/RMDIR: the name is gone; returns the id of the object that had it, if known. With names left
   * (`linksLeft` > 0) the object and its handles live on.
   */
  unlinkName(dirId: ObjectId, name: Buffer, linksLeft: bigint): ObjectId | undefined {
    this.names.delete(nameKey(dirId, name));
    return this.o.catalog.removeLink(dirId, name, linksLeft)?.id;
  }

  /**
   * RENAME: the name moves; an object the catalog did not know under it simply loses the target name.
   * The object it replaced lives on if it has names left (`replacedLinksLeft`).
   */
  moveName(
    fromDir: ObjectId,
    fromName: Buffer,
    toDir: ObjectId,
    toName: Buffer,
    replacedLinksLeft: bigint,
  ): void {
    this.names.delete(nameKey(fromDir, fromName));
    this.names.delete(nameKey(toDir, toName));
    if (!this.o.catalog.moveLink(fromDir, fromName, toDir, toName, replacedLinksLeft))
      this.o.catalog.removeLink(toDir, toName, replacedLinksLeft);
  }

  /** Forgets the cached descriptor of an object that no longer exists. */
  forget(id: ObjectId): void {
    this.o.nodes.delete(id);
  }
}
