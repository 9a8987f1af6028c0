import fs from 'node:fs';
import {
  accessBits,
  checkSetattr,
  creationGid,
  creationMode,
  effectiveChmod,
  hostProtectsHardlinks,
  MUTATING_ACCESS,
  mayAccess,
  mayHardlink,
  modeAfterWrite,
  R_OK,
  type SetattrRequest,
  stickyAllows,
  type TimeChange,
  W_OK,
  X_OK,
} from './access.js';
import { isBelow } from './ancestry.js';
import {
  type Attrs,
  attrsFromStats,
  fileTypeOf,
  identityOf,
  type NfsTime,
  type StatLike,
  type WccAttrs,
  type WccData,
  wccAttrs,
} from './attrs.js';
import { type Caller, INVALID_ID } from './credentials.js';
import { toErrno } from './errors.js';
import { done, errnoOf, isDirectory, openNode, type Seen, statChild, statFd } from './fs-calls.js';
import { fsOps } from './fs-ops.js';
import { isDotDot, isDotOrDotDot, NAME_MAX, validateName, validateSymlinkTarget } from './names.js';
import type { NativeStat, NativeTime } from './native.js';
import { closeQuietly, O_DIRECTORY, O_NOFOLLOW, O_PATH } from './proc-path.js';
import {
  type DirEntry,
  type DirListing,
  DirSnapshotCache,
  DOT_COOKIE,
  DOTDOT_COOKIE,
  ListingBuilder,
  verifierFromMtime,
} from './readdir.js';
import { makeSpecial, type SpecialType } from './special-files.js';
import {
  type Errno,
  FileType,
  type FsResult,
  fail,
  type Identity,
  ok,
  sameIdentity,
  type VNode,
} from './types.js';

export interface ConfinedFsOptions {
  /** The export root directory. */
  readonly root: string;
  readonly readOnly: boolean;
  /** Whether filesystems mounted inside the export may be entered (exports(5) crossmnt). */
  readonly crossMounts: boolean;
  /** Running as root: the server checks permissions itself and sets owners of what it creates. Otherwise
   * it acts as its own user and the kernel's checks are the only ones. */
  readonly privileged: boolean;
}

export interface Resolved {
  readonly node: VNode;
  readonly attrs: Attrs;
}

export interface Created extends Resolved {
  /** False when a non-exclusive CREATE found an existing regular file. */
  readonly created: boolean;
  readonly dir: WccData;
}

export interface Removed {
  readonly dir: WccData;
  /** The object whose name was removed (it may live on under other names). */
  readonly removed: Identity;
  /** How many names it has left (0 for a directory): above 0, its handles stay valid. */
  readonly linksLeft: bigint;
}

export interface Renamed {
  readonly fromDir: WccData;
  readonly toDir: WccData;
  readonly moved: Identity;
  /** The object the target name referred to before, if any. */
  readonly replaced: Identity | undefined;
  /** How many names the replaced object has left (0 when there was none, or for a directory). */
  readonly replacedLinksLeft: bigint;
}

export interface Linked {
  readonly attrs: Attrs;
  readonly dir: WccData;
}

/** A name the caller knows an object by: a directory descriptor it holds and the name in it. */
export interface KnownName {
  readonly dir: VNode;
  readonly name: Buffer;
}

export interface SetattrResult {
  readonly before: WccAttrs;
  readonly after: Attrs;
}

export interface FsStat {
  readonly totalBytes: bigint;
  readonly freeBytes: bigint;
  readonly availBytes: bigint;
  readonly totalFiles: bigint;
  readonly freeFiles: bigint;
  readonly availFiles: bigint;
}

export interface PathConf {
  readonly linkMax: number;
  readonly nameMax: number;
  readonly noTrunc: boolean;
  readonly chownRestricted: boolean;
  readonly caseInsensitive: boolean;
  readonly casePreserving: boolean;
}

/** With AT_EMPTY_PATH, the descriptor itself. */
const EMPTY_NAME = Buffer.alloc(0);
const DOTDOT = Buffer.from('..');
const ops = () => fsOps();
const AT_SYMLINK_NOFOLLOW = 0x100;

/** Hard link limits by statfs f_type; filesystems not listed report the most common one. */
const LINK_MAX_BY_FS_TYPE = new Map<number, number>([
  [0xef53, 65000], // ext2/3/4
  [0x9123683e, 65535], // btrfs
  [0x58465342, 2147483647], // xfs
  [0x01021994, 2147483647], // tmpfs
]);

/** How many names one readDir call returns: bounds the work each completion does on the event loop. */
const LISTING_CHUNK = 4096;

/**
 * Filesystem operations confined to one export. Every name is resolved inside a directory descriptor
 * (openat/statx relative to it, one component, never following a symlink), so neither a symlink stored
 * in the tree nor a directory swapped for one between requests can lead outside the export.
 *
 * Every system call runs on the thread pool (FsOps): the event loop only waits. The descriptors an
 * operation is given must stay open until it settles: callers hold them pinned (NodeCache pins, or
 * VNodes they own), so a descriptor number is never reused under a call that still uses it.
 *
 * Mount points: without crossMounts, LOOKUP of a directory on which another filesystem is mounted answers
 * 'EACCES' (knfsd would show the covered directory, which Node cannot reach).
 */
export class ConfinedFs {
  private rootFd: number | undefined;
  private rootIdent: Identity | undefined;
  private rootMnt: bigint | undefined;
  private rootOpening: Promise<FsResult<void>> | undefined;
  private readonly snapshots = new DirSnapshotCache();
  private readonly enforce: boolean;

  constructor(private readonly options: ConfinedFsOptions) {
    this.enforce = options.privileged;
  }

  get readOnly(): boolean {
    return this.options.readOnly;
  }

  /** A new VNode for the export root (the caller owns it). */
  async openRoot(): Promise<FsResult<VNode>> {
    const root = await this.root();
    if (!root.ok) return root;
    return this.reopen(root.value.fd, root.value.ident);
  }

  /** Releases the descriptor kept for the root. VNodes handed out stay the callers' to close. */
  close(): void {
    if (this.rootFd !== undefined) closeQuietly(this.rootFd);
    this.rootFd = undefined;
    this.rootOpening = undefined;
  }

  closeVNode(node: VNode): void {
    closeQuietly(node.fd);
  }

  async getattr(node: VNode): Promise<FsResult<Attrs>> {
    const st = await this.verify(node);
    return st.ok ? ok(attrsFromStats(st.value)) : st;
  }

  /** The stat of the node's object after the same checks as every operation (identity, nlink > 0), at
   * the cost of one statx: its ctime tells callers whether the object was renamed meanwhile, and the
   * rest serves as the request's attributes. */
  async changeStamp(node: VNode): Promise<FsResult<NativeStat>> {
    return this.verify(node);
  }

  /** The ACCESS3 answer for `requested` bits, with the object's attributes. */
  async access(
    node: VNode,
    caller: Caller,
    requested: number,
  ): Promise<FsResult<{ granted: number; attrs: Attrs }>> {
    const st = await this.verify(node);
    if (!st.ok) return st;
    const attrs = attrsFromStats(st.value);
    let granted = this.enforce ? accessBits(caller, attrs, requested) : requested;
    if (this.options.readOnly) granted &= ~MUTATING_ACCESS;
    return ok({ granted, attrs });
  }

  async lookup(dir: VNode, name: Buffer, caller: Caller): Promise<FsResult<Resolved>> {
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotDot(name)) return this.lookupParent(dir, caller);
    const dirSt = await this.verifyDir(dir, caller, X_OK);
    if (!dirSt.ok) return dirSt;
    if (isDotOrDotDot(name)) return this.resolved(await this.reopen(dir.fd, dir.ident));
    return this.openChild(dir.fd, name);
  }

  /** '..' of `dir`; at the export root, the root itself. */
  async lookupParent(dir: VNode, caller: Caller): Promise<FsResult<Resolved>> {
    const dirSt = await this.verifyDir(dir, caller, X_OK);
    if (!dirSt.ok) return dirSt;
    const root = await this.root();
    if (!root.ok) return root;
    if (sameIdentity(dir.ident, root.value.ident))
      return this.resolved(await this.reopen(root.value.fd, root.value.ident));
    const opened = await openNode(dir.fd, DOTDOT, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    if (!opened.ok) return opened;
    if (!(await isBelow(opened.value.node.fd, root.value.ident))) {
      closeQuietly(opened.value.node.fd);
      return fail('ESTALE');
    }
    return this.checked(opened.value.node, opened.value.st);
  }

  /**
   * SETATTR. `names` are places the caller knows the object by (parent descriptor and name, e.g. from the
   * catalog): changing a symlink's times needs one, since utimensat can leave a symlink unfollowed only
   * by name; without a usable one the call answers EAGAIN (JUKEBOX) and the client retries.
   */
  async setattr(
    node: VNode,
    caller: Caller,
    req: SetattrRequest,
    guardCtime?: NfsTime,
    names: readonly KnownName[] = [],
  ): Promise<FsResult<SetattrResult>> {
    if (this.options.readOnly) return fail('EROFS');
    const st = await this.verify(node);
    if (!st.ok) return st;
    const attrs = attrsFromStats(st.value);
    if (guardCtime !== undefined) {
      if (guardCtime.seconds !== attrs.ctime.seconds || guardCtime.nseconds !== attrs.ctime.nseconds) {
        return fail('ENOTSYNC');
      }
    }
    const invalid = unsettable(req);
    if (invalid !== undefined) return fail(invalid);
    if (this.enforce) {
      const refused = checkSetattr(caller, attrs, req);
      if (refused !== undefined) return fail(refused);
    }
    // Linux has no lchmod.
    if (attrs.type === FileType.LNK && req.mode !== undefined) return fail('ENOTSUP');
    if (req.size !== undefined && attrs.type !== FileType.REG)
      return fail(attrs.type === FileType.DIR ? 'EISDIR' : 'EINVAL');
    if (req.size !== undefined) {
      const cut = await done(ops().truncate(node.fd, req.size), 'truncate');
      if (!cut.ok) return cut;
      // As the kernel's truncate does for a caller without CAP_FSETID; an explicit mode wins below.
      const stripped = this.enforce && req.mode === undefined ? modeAfterWrite(caller, attrs) : undefined;
      if (stripped !== undefined) {
        const mode = await done(ops().chmod(node.fd, stripped), 'chmod');
        if (!mode.ok) return mode;
      }
    }
    if (req.uid !== undefined || req.gid !== undefined) {
      const owner = await done(ops().chown(node.fd, req.uid ?? attrs.uid, req.gid ?? attrs.gid), 'chown');
      if (!owner.ok) return owner;
    }
    if (req.mode !== undefined) {
      const mode = await done(
        ops().chmod(node.fd, effectiveChmod(caller, req.mode, req.gid ?? attrs.gid)),
        'chmod',
      );
      if (!mode.ok) return mode;
    }
    if (req.atime !== undefined || req.mtime !== undefined) {
      const times = await this.setTimes(
        node,
        attrs.type,
        nativeTime(req.atime),
        nativeTime(req.mtime),
        names,
      );
      if (!times.ok) return times;
    }
    const after = await this.verify(node);
    if (!after.ok) return after;
    const now = attrsFromStats(after.value);
    // chown(2) leaves an id it cannot map unchanged: answering OK would claim a change that did not happen.
    if ((req.uid !== undefined && now.uid !== req.uid) || (req.gid !== undefined && now.gid !== req.gid)) {
      return fail('EINVAL');
    }
    return ok({ before: wccAttrs(st.value), after: now });
  }

  async create(
    dir: VNode,
    name: Buffer,
    caller: Caller,
    mode: number,
    how: { readonly exclusive: boolean },
  ): Promise<FsResult<Created>> {
    const pre = await this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const opened = await openNode(
      dir.fd,
      name,
      fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW | fs.constants.O_RDONLY,
    );
    if (!opened.ok) {
      if (opened.errno !== 'EEXIST' || how.exclusive) return opened;
      const existing = await this.openChild(dir.fd, name);
      if (!existing.ok) return existing;
      if (existing.value.node.type !== FileType.REG) {
        closeQuietly(existing.value.node.fd);
        return fail('EEXIST');
      }
      return this.finishCreate(dir, pre.value, existing, false);
    }
    const { fd, ident } = opened.value.node;
    const owned = await this.takeOwnership(fd, caller, pre.value, mode, FileType.REG);
    if (!owned.ok) await this.discardCreated(dir.fd, name, ident, false);
    const node = owned.ok ? await this.resolved(await this.reopen(fd, ident)) : owned;
    closeQuietly(fd);
    return this.finishCreate(dir, pre.value, node, true);
  }

  async mkdir(dir: VNode, name: Buffer, caller: Caller, mode: number): Promise<FsResult<Created>> {
    const pre = await this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const made = await done(ops().mkdir(dir.fd, name, 0o700), 'mkdirat');
    if (!made.ok) return made;
    return this.adoptCreated(dir, name, caller, pre.value, mode, FileType.DIR);
  }

  /** The target is stored verbatim and never interpreted by the server. */
  async symlink(dir: VNode, name: Buffer, target: Buffer, caller: Caller): Promise<FsResult<Created>> {
    const badTarget = validateSymlinkTarget(target);
    if (badTarget !== undefined) return fail(badTarget);
    const pre = await this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const made = await done(ops().symlink(target, dir.fd, name), 'symlinkat');
    if (!made.ok) return made;
    return this.adoptCreated(dir, name, caller, pre.value, 0o777, FileType.LNK);
  }

  /** FIFOs and sockets for anyone allowed to create; devices only for root on a privileged server. */
  async mknod(
    dir: VNode,
    name: Buffer,
    type: SpecialType,
    caller: Caller,
    mode: number,
    rdev: { major: number; minor: number } = { major: 0, minor: 0 },
  ): Promise<FsResult<Created>> {
    const isDevice = type === FileType.CHR || type === FileType.BLK;
    if (isDevice && !this.options.privileged) return fail('ENOTSUP');
    if (isDevice && caller.uid !== 0) return fail('EPERM');
    const pre = await this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const made = await makeSpecial(dir.fd, name, type, rdev);
    if (!made.ok) return made;
    return this.adoptCreated(dir, name, caller, pre.value, mode, type);
  }

  async readlink(node: VNode): Promise<FsResult<Buffer>> {
    const st = await this.verify(node);
    if (!st.ok) return st;
    if (fileTypeOf(st.value) !== FileType.LNK) return fail('EINVAL');
    // The descriptor holds the symlink itself: read it as such, wherever it is and however deep.
    const target = await ops().readlink(node.fd, EMPTY_NAME);
    return typeof target === 'string' ? fail(errnoOf(target, 'readlinkat')) : ok(target);
  }

  /** REMOVE: anything but a directory. */
  remove(dir: VNode, name: Buffer, caller: Caller): Promise<FsResult<Removed>> {
    return this.unlinkLike(dir, name, caller, false);
  }

  rmdir(dir: VNode, name: Buffer, caller: Caller): Promise<FsResult<Removed>> {
    return this.unlinkLike(dir, name, caller, true);
  }

  async rename(
    fromDir: VNode,
    fromName: Buffer,
    toDir: VNode,
    toName: Buffer,
    caller: Caller,
  ): Promise<FsResult<Renamed>> {
    if (this.options.readOnly) return fail('EROFS');
    for (const name of [fromName, toName]) {
      const bad = validateName(name);
      if (bad !== undefined) return fail(bad);
      if (isDotOrDotDot(name)) return fail('EPERM');
    }
    const fromSt = await this.verifyDir(fromDir, caller, W_OK | X_OK);
    if (!fromSt.ok) return fromSt;
    const toSt = await this.verifyDir(toDir, caller, W_OK | X_OK);
    if (!toSt.ok) return toSt;
    // Both names change meaning below: their identities are read while they still name the objects.
    const source = await statChild(fromDir.fd, fromName);
    if (!source.ok) return source;
    const target = await statChild(toDir.fd, toName);
    if (!target.ok && target.errno !== 'ENOENT') return target;
    if (this.enforce) {
      const sourceAttrs = attrsFromStats(source.value.st);
      if (!stickyAllows(caller, attrsFromStats(fromSt.value), sourceAttrs)) return fail('EPERM');
      if (target.ok && !stickyAllows(caller, attrsFromStats(toSt.value), attrsFromStats(target.value.st))) {
        return fail('EPERM');
      }
      // Moving a directory to another parent rewrites its '..' entry.
      const crossesParents = !sameIdentity(fromDir.ident, toDir.ident);
      if (crossesParents && sourceAttrs.type === FileType.DIR && !mayAccess(caller, sourceAttrs, W_OK)) {
        return fail('EACCES');
      }
    }
    const renamed = await done(ops().rename(fromDir.fd, fromName, toDir.fd, toName), 'renameat');
    if (!renamed.ok) return renamed;
    const [fromWcc, toWcc] = await Promise.all([
      this.wccAfter(fromDir, fromSt.value),
      this.wccAfter(toDir, toSt.value),
    ]);
    return ok({
      fromDir: fromWcc,
      toDir: toWcc,
      moved: source.value.ident,
      replaced: target.ok ? target.value.ident : undefined,
      replacedLinksLeft: target.ok ? linksLeftAfterRemoval(target.value.st) : 0n,
    });
  }

  /** LINK: a new name in `dir` for the object `node`. */
  async link(node: VNode, dir: VNode, name: Buffer, caller: Caller): Promise<FsResult<Linked>> {
    if (this.options.readOnly) return fail('EROFS');
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotOrDotDot(name)) return fail('EEXIST');
    const st = await this.verify(node);
    if (!st.ok) return st;
    if (fileTypeOf(st.value) === FileType.DIR) return fail('EISDIR');
    const dirSt = await this.verifyDir(dir, caller, W_OK | X_OK);
    if (!dirSt.ok) return dirSt;
    if (this.enforce && !mayHardlink(caller, attrsFromStats(st.value), hostProtectsHardlinks())) {
      return fail('EPERM');
    }
    // linkat through the descriptor's magic link (AT_SYMLINK_FOLLOW): the object it holds, wherever it is
    // now and whichever name it was opened through (that name may have been removed while the object
    // lives on under others: rename(a, b); link(b, a); unlink(b); ...), without spelling out its path, so
    // neither long names nor deep trees matter. An object with no name left cannot be linked: STALE.
    const made = await ops().link(node.fd, dir.fd, name);
    if (made !== undefined) return fail(made === 'ENOENT' ? 'ESTALE' : errnoOf(made, 'linkat'));
    const created = await statChild(dir.fd, name);
    if (!created.ok || !sameIdentity(created.value.ident, node.ident)) {
      // The name was replaced after linkat made it: it is someone else's now, so it is left alone.
      return fail('ESTALE');
    }
    const after = await this.verify(node);
    if (!after.ok) return after;
    return ok({ attrs: attrsFromStats(after.value), dir: await this.wccAfter(dir, dirSt.value) });
  }

  /**
   * A snapshot of the directory in cookie order; see readdir.ts for why cookies survive restarts. The
   * names are read in chunks on the thread pool and hashed chunk by chunk, so even a directory of a
   * million entries never holds the event loop for long. Listings of the same directory version that
   * are asked for while one is being read share it.
   */
  async readdir(dir: VNode, caller: Caller): Promise<FsResult<DirListing>> {
    const st = await this.verifyDir(dir, caller, R_OK);
    if (!st.ok) return st;
    const version = { ident: dir.ident, mtimeNs: st.value.mtimeNs, ctimeNs: st.value.ctimeNs };
    const cached = this.snapshots.get(version);
    if (cached !== undefined) return ok(cached);
    const key = `${version.ident.dev}:${version.ident.ino}:${version.ident.btime}:${version.mtimeNs}:${version.ctimeNs}`;
    let reading = this.listingsUnderWay.get(key);
    if (reading === undefined) {
      reading = this.readListing(dir, st.value.mtimeNs).finally(() => this.listingsUnderWay.delete(key));
      this.listingsUnderWay.set(key, reading);
    }
    const listing = await reading;
    if (listing.ok) this.snapshots.put(version, listing.value);
    return listing;
  }

  private readonly listingsUnderWay = new Map<string, Promise<FsResult<DirListing>>>();

  private async readListing(dir: VNode, mtimeNs: bigint): Promise<FsResult<DirListing>> {
    const builder = new ListingBuilder();
    let position = 0;
    for (;;) {
      const chunk = await ops().readDir(dir.fd, position, LISTING_CHUNK, false);
      if (typeof chunk === 'string') return fail(errnoOf(chunk, 'getdents64'));
      builder.add(chunk.names);
      if (chunk.done) break;
      position = chunk.next;
    }
    return ok({ entries: await builder.finish(), verifier: verifierFromMtime(mtimeNs) });
  }

  /** Attributes of one entry of `dir` without following it (READDIRPLUS). Mount points are refused like
   * LOOKUP refuses them. */
  async entryAttrs(dir: VNode, name: Buffer): Promise<FsResult<Attrs>> {
    const seen = await this.entryIdentity(dir, name);
    return seen.ok ? ok(seen.value.attrs) : seen;
  }

  /**
   * Attributes and identity of one entry of `dir`, without following it or opening it: READDIRPLUS uses
   * it to recognise entries whose objects it already knows. `dirVerified` skips re-checking `dir` when
   * the caller verified it for the same request.
   */
  async entryIdentity(
    dir: VNode,
    name: Buffer,
    dirVerified = false,
  ): Promise<FsResult<{ attrs: Attrs; ident: Identity }>> {
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (!dirVerified) {
      const dirSt = await this.verify(dir);
      if (!dirSt.ok) return dirSt;
    }
    const seen = await statChild(dir.fd, name);
    if (!seen.ok) return seen;
    if (!isDotOrDotDot(name) && this.crossesMount(seen.value.st)) return fail('EACCES');
    return ok({ attrs: attrsFromStats(seen.value.st), ident: seen.value.ident });
  }

  /** entryIdentity of many entries of `dir` (verified by the caller) in one round trip; entries without
   * a birth time take one more each (their identity needs the kernel file handle). */
  async entriesIdentity(
    dir: VNode,
    names: readonly Buffer[],
  ): Promise<FsResult<{ attrs: Attrs; ident: Identity }>[]> {
    const bad = names.map((name) => validateName(name));
    const asked = names.filter((_, i) => bad[i] === undefined);
    const got = asked.length > 0 ? await ops().statNames(dir.fd, asked) : [];
    if (typeof got === 'string') return names.map(() => fail(errnoOf(got, 'statx')));
    let next = 0;
    return Promise.all(
      names.map(async (name, i): Promise<FsResult<{ attrs: Attrs; ident: Identity }>> => {
        const refused = bad[i];
        if (refused !== undefined) return fail(refused);
        const st = got[next++]!;
        if (typeof st === 'string') return fail(errnoOf(st, 'statx'));
        if (st.birthtimeNs === 0n) return this.entryIdentity(dir, name, true);
        if (!isDotOrDotDot(name) && this.crossesMount(st)) return fail('EACCES');
        return ok({ attrs: attrsFromStats(st), ident: identityOf(st) });
      }),
    );
  }

  /** The fileid of a listed entry, cached in the snapshot after the first lstat. */
  async entryFileid(dir: VNode, entry: DirEntry): Promise<FsResult<bigint>> {
    if (entry.fileid !== undefined) return ok(entry.fileid);
    let fileid: FsResult<bigint>;
    if (entry.cookie === DOT_COOKIE) {
      fileid = ok(dir.ident.ino);
    } else if (entry.cookie === DOTDOT_COOKIE) {
      const root = await this.root();
      if (!root.ok) return root;
      if (sameIdentity(dir.ident, root.value.ident)) fileid = ok(dir.ident.ino);
      else {
        const attrs = await this.entryAttrs(dir, entry.name);
        fileid = attrs.ok ? ok(attrs.value.fileid) : attrs;
      }
    } else {
      // Not entryAttrs: a mount point is listed with the inode number it shows, as knfsd lists it; only
      // looking it up (and its attributes) is refused.
      const bad = validateName(entry.name);
      if (bad !== undefined) return fail(bad);
      const dirSt = await this.verify(dir);
      if (!dirSt.ok) return dirSt;
      const seen = await ops().stat(dir.fd, entry.name);
      fileid = typeof seen === 'string' ? fail(errnoOf(seen, 'statx')) : ok(seen.st.ino);
    }
    if (fileid.ok) entry.fileid = fileid.value;
    return fileid;
  }

  /** FSSTAT of the filesystem `node` is on (a crossed mount has its own), or of the export's. */
  async statfs(node?: VNode): Promise<FsResult<FsStat>> {
    const on = await this.filesystemOf(node);
    if (!on.ok) return on;
    const s = await ops().statfs(on.value);
    if (typeof s === 'string') return fail(errnoOf(s, 'statfs'));
    return ok({
      totalBytes: s.blocks * s.bsize,
      freeBytes: s.bfree * s.bsize,
      availBytes: s.bavail * s.bsize,
      totalFiles: s.files,
      freeFiles: s.ffree,
      availFiles: s.ffree,
    });
  }

  async pathconf(node?: VNode): Promise<FsResult<PathConf>> {
    const on = await this.filesystemOf(node);
    if (!on.ok) return on;
    const s = await ops().statfs(on.value);
    if (typeof s === 'string') return fail(errnoOf(s, 'statfs'));
    return ok({
      linkMax: LINK_MAX_BY_FS_TYPE.get(s.type) ?? 65000,
      nameMax: NAME_MAX,
      noTrunc: true,
      chownRestricted: true,
      caseInsensitive: false,
      casePreserving: true,
    });
  }

  // ---- internals ------------------------------------------------------------------------------------

  /** A verified descriptor on the filesystem of `node`, or of the export root without one. */
  private async filesystemOf(node: VNode | undefined): Promise<FsResult<number>> {
    if (node !== undefined) {
      const st = await this.verify(node);
      return st.ok ? ok(node.fd) : st;
    }
    const root = await this.root();
    return root.ok ? ok(root.value.fd) : root;
  }

  /** The root descriptor, opened once (concurrent first callers share the opening). */
  private async root(): Promise<FsResult<{ fd: number; ident: Identity }>> {
    if (this.rootFd === undefined) {
      this.rootOpening ??= this.openRootFd();
      const opened = await this.rootOpening;
      if (!opened.ok) {
        this.rootOpening = undefined;
        return opened;
      }
    }
    return ok({ fd: this.rootFd!, ident: this.rootIdent! });
  }

  private async openRootFd(): Promise<FsResult<void>> {
    // The configured path is the operator's (its symlinks were resolved when the export was bound): the
    // one path the server opens by name, on the thread pool like everything else.
    const fd = await new Promise<FsResult<number>>((settle) =>
      fs.open(this.options.root, O_PATH | O_DIRECTORY | O_NOFOLLOW, (err, opened) =>
        settle(err ? fail(toErrno(err)) : ok(opened)),
      ),
    );
    if (!fd.ok) return fd;
    const seen = await this.describeFd(fd.value);
    if (!seen.ok) return seen;
    this.rootFd = fd.value;
    this.rootIdent = seen.value.ident;
    this.rootMnt = seen.value.st.mntId;
    return ok(undefined);
  }

  private async describeFd(fd: number): Promise<FsResult<Seen>> {
    const seen = await statFd(fd);
    if (!seen.ok) closeQuietly(fd);
    return seen;
  }

  /** fstat of the node's descriptor, refusing a descriptor that was closed or now names another object,
   * and an object with no name left (deleted on the host: only our descriptor keeps it, and serving it
   * would show old data and keep its space allocated). */
  private async verify(node: VNode): Promise<FsResult<NativeStat>> {
    const seen = await statFd(node.fd);
    if (!seen.ok) return seen;
    if (!sameIdentity(seen.value.ident, node.ident)) return fail('EBADF');
    return seen.value.st.nlink === 0n ? fail('ESTALE') : ok(seen.value.st);
  }

  private async verifyDir(dir: VNode, caller: Caller, want: number): Promise<FsResult<NativeStat>> {
    const st = await this.verify(dir);
    if (!st.ok) return st;
    if (fileTypeOf(st.value) !== FileType.DIR) return fail('ENOTDIR');
    if (this.enforce && !mayAccess(caller, attrsFromStats(st.value), want)) return fail('EACCES');
    return st;
  }

  /** A second descriptor for the object `fd` refers to: exactly that object (the magic link is followed
   * to it and no further, even for a symlink). */
  private async reopen(fd: number, ident: Identity): Promise<FsResult<VNode>> {
    const opened = await openNode(fd, EMPTY_NAME, O_PATH);
    if (!opened.ok) return fail(opened.errno === 'ENOENT' ? 'EBADF' : opened.errno);
    if (!sameIdentity(opened.value.node.ident, ident)) {
      closeQuietly(opened.value.node.fd);
      return fail('EBADF');
    }
    return ok(opened.value.node);
  }

  /** The entry `name` of `dirFd`, opened O_PATH without following it, with its attributes. */
  private async openChild(dirFd: number, name: Buffer): Promise<FsResult<Resolved>> {
    const opened = await openNode(dirFd, name, O_PATH | O_NOFOLLOW);
    if (!opened.ok) return opened;
    const { node, st } = opened.value;
    if (!this.options.crossMounts && node.mnt !== this.rootMnt) {
      closeQuietly(node.fd);
      return fail('EACCES');
    }
    return this.checked(node, st);
  }

  /** A freshly opened node with the stat taken on opening it: refused when it has no name left. */
  private checked(node: VNode, st: NativeStat): FsResult<Resolved> {
    if (st.nlink === 0n) {
      closeQuietly(node.fd);
      return fail('ESTALE');
    }
    return ok({ node, attrs: attrsFromStats(st) });
  }

  /** Whether an entry whose lstat is `st` is on another mount than the export root (by mount id: a bind
   * mount of the same device counts) and this view may not cross into it. */
  private crossesMount(st: NativeStat): boolean {
    if (this.options.crossMounts || this.rootIdent === undefined) return false;
    if (st.dev !== this.rootIdent.dev) return true;
    return st.mntId !== -1n && this.rootMnt !== -1n && st.mntId !== this.rootMnt;
  }

  private async resolved(node: FsResult<VNode>): Promise<FsResult<Resolved>> {
    if (!node.ok) return node;
    const st = await this.verify(node.value);
    if (!st.ok) {
      closeQuietly(node.value.fd);
      return st;
    }
    return ok({ node: node.value, attrs: attrsFromStats(st.value) });
  }

  /** utimensat with nanoseconds: on the descriptor for anything but a symlink, which is changed by name
   * in its parent (AT_SYMLINK_NOFOLLOW) after checking the name still holds it. */
  private async setTimes(
    node: VNode,
    type: FileType,
    atime: NativeTime,
    mtime: NativeTime,
    names: readonly KnownName[],
  ): Promise<FsResult<void>> {
    if (type !== FileType.LNK) return done(ops().utimens(node.fd, EMPTY_NAME, atime, mtime, 0), 'utimensat');
    for (const { dir, name } of names) {
      if (validateName(name) !== undefined || !(await this.verify(dir)).ok) continue;
      const found = await statChild(dir.fd, name);
      if (found.ok && sameIdentity(found.value.ident, node.ident))
        return done(ops().utimens(dir.fd, name, atime, mtime, AT_SYMLINK_NOFOLLOW), 'utimensat');
    }
    // No name the catalog knows holds it now (renamed behind the server's back a moment ago): the object
    // is fine, so not STALE; the client retries and finds it under the name the catalog learns meanwhile.
    return fail('EAGAIN');
  }

  private async beginCreate(dir: VNode, name: Buffer, caller: Caller): Promise<FsResult<NativeStat>> {
    if (this.options.readOnly) return fail('EROFS');
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotOrDotDot(name)) return fail('EEXIST');
    return this.verifyDir(dir, caller, W_OK | X_OK);
  }

  /** Opens what was just created under `name`, gives it to the caller and applies the mode. */
  private async adoptCreated(
    dir: VNode,
    name: Buffer,
    caller: Caller,
    dirBefore: NativeStat,
    mode: number,
    type: FileType,
  ): Promise<FsResult<Created>> {
    const opened = await openNode(dir.fd, name, O_PATH | O_NOFOLLOW);
    if (!opened.ok) return opened;
    const node = opened.value.node;
    if (node.type !== type) {
      closeQuietly(node.fd);
      return fail('EEXIST');
    }
    const owned = await this.takeOwnership(node.fd, caller, dirBefore, mode, type);
    if (!owned.ok) {
      await this.discardCreated(dir.fd, name, node.ident, type === FileType.DIR);
      closeQuietly(node.fd);
      return owned;
    }
    return this.finishCreate(dir, dirBefore, await this.resolved(ok(node)), true);
  }

  /** chown to the caller (the parent's group under a setgid parent), then chmod without umask: chown
   * would clear setuid/setgid bits set before it. The server creates as root, so the result is checked:
   * an id chown(2) ignores or cannot map would otherwise leave a root-owned (even setuid) object, and
   * the caller must then remove it ('EPERM'). */
  private async takeOwnership(
    fd: number,
    caller: Caller,
    dirBefore: NativeStat,
    mode: number,
    type: FileType,
  ): Promise<FsResult<void>> {
    const parent = attrsFromStats(dirBefore);
    const gid = creationGid(caller, parent);
    if (this.options.privileged && (caller.uid === INVALID_ID || gid === INVALID_ID)) return fail('EPERM');
    if (this.options.privileged) {
      const owner = await done(ops().chown(fd, caller.uid, gid), 'chown');
      if (!owner.ok) return owner;
    }
    if (type !== FileType.LNK) {
      const set = await done(ops().chmod(fd, creationMode(caller, parent, mode, type, gid)), 'chmod');
      if (!set.ok) return set;
    }
    const now = await statFd(fd);
    if (!now.ok) return now;
    if (
      this.options.privileged &&
      (Number(now.value.st.uid) !== caller.uid || Number(now.value.st.gid) !== gid)
    ) {
      return fail('EPERM');
    }
    return ok(undefined);
  }

  /** Removes an object this request just made under `name` (if the name still holds it). */
  private async discardCreated(
    dirFd: number,
    name: Buffer,
    ident: Identity,
    directory: boolean,
  ): Promise<void> {
    const still = await statChild(dirFd, name);
    if (!still.ok || !sameIdentity(still.value.ident, ident)) return;
    await ops().unlink(dirFd, name, directory);
  }

  private async finishCreate(
    dir: VNode,
    dirBefore: NativeStat,
    node: FsResult<Resolved>,
    created: boolean,
  ): Promise<FsResult<Created>> {
    if (!node.ok) return node;
    return ok({ ...node.value, created, dir: await this.wccAfter(dir, dirBefore) });
  }

  private async unlinkLike(
    dir: VNode,
    name: Buffer,
    caller: Caller,
    directory: boolean,
  ): Promise<FsResult<Removed>> {
    if (this.options.readOnly) return fail('EROFS');
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotOrDotDot(name)) return fail('EACCES');
    const dirSt = await this.verifyDir(dir, caller, W_OK | X_OK);
    if (!dirSt.ok) return dirSt;
    const child = await statChild(dir.fd, name);
    if (!child.ok) return child;
    const isDir = isDirectory(child.value.st);
    if (isDir !== directory) return fail(directory ? 'ENOTDIR' : 'EISDIR');
    if (this.enforce && !stickyAllows(caller, attrsFromStats(dirSt.value), attrsFromStats(child.value.st))) {
      return fail('EPERM');
    }
    const removed = await done(ops().unlink(dir.fd, name, directory), directory ? 'rmdir' : 'unlink');
    if (!removed.ok) return removed;
    return ok({
      dir: await this.wccAfter(dir, dirSt.value),
      removed: child.value.ident,
      linksLeft: linksLeftAfterRemoval(child.value.st),
    });
  }

  private async wccAfter(dir: VNode, before: NativeStat): Promise<WccData> {
    const after = await this.verify(dir);
    return { before: wccAttrs(before), after: after.ok ? attrsFromStats(after.value) : undefined };
  }
}

/** The link count of an object one of whose names was just removed; a directory has no others. */
function linksLeftAfterRemoval(st: StatLike): bigint {
  if (isDirectory(st)) return 0n;
  const nlink = BigInt(st.nlink);
  return nlink > 0n ? nlink - 1n : 0n;
}

/** A SETATTR time as utimensat takes it: unchanged fields are omitted, never rewritten. */
function nativeTime(change: TimeChange | undefined): NativeTime {
  if (change === undefined) return 'omit';
  if (change === 'now') return 'now';
  return BigInt(change.seconds) * 1_000_000_000n + BigInt(change.nseconds);
}

/** Values no system call can apply: ids chown(2) reads as "unchanged", sizes beyond a file's reach,
 * nanoseconds outside a second. */
function unsettable(req: SetattrRequest): Errno | undefined {
  if (req.uid === INVALID_ID || req.gid === INVALID_ID) return 'EINVAL';
  for (const t of [req.atime, req.mtime]) {
    if (t !== undefined && t !== 'now' && (t.nseconds < 0 || t.nseconds >= 1_000_000_000)) return 'EINVAL';
  }
  if (req.size !== undefined && (req.size < 0n || req.size > BigInt(Number.MAX_SAFE_INTEGER))) return 'EFBIG';
  return undefined;
}
