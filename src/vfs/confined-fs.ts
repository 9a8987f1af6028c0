import fs, { type BigIntStats } from 'node:fs';
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
  type NfsTime,
  type StatLike,
  type WccAttrs,
  type WccData,
  wccAttrs,
} from './attrs.js';
import { type Caller, INVALID_ID } from './credentials.js';
import { openWithRelief } from './descriptors.js';
import { attempt, toErrno } from './errors.js';
import { isDotDot, isDotOrDotDot, NAME_MAX, validateName, validateSymlinkTarget } from './names.js';
import { type FsAt, type NativeTime, nativeFsAt, requiredFsAt, systemError } from './native.js';
import { closeQuietly, O_DIRECTORY, O_NOFOLLOW, O_PATH, procPath } from './proc-path.js';
import {
  assignCookies,
  type DirEntry,
  type DirListing,
  DirSnapshotCache,
  DOT_COOKIE,
  DOTDOT_COOKIE,
  verifierFromMtime,
} from './readdir.js';
import { identityOfChild, identityOfFd } from './reuse-tag.js';
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

const BIGINT = { bigint: true } as const;
/** openat/statx for the per-name hot paths when the addon is built; otherwise /proc/self/fd paths. */
const fsAt = nativeFsAt();
/** With AT_EMPTY_PATH, statx of the descriptor itself. */
const EMPTY_NAME = Buffer.alloc(0);
const S_IFDIR = 0o040000;

/** Hard link limits by statfs f_type; filesystems not listed report the most common one. */
const LINK_MAX_BY_FS_TYPE = new Map<number, number>([
  [0xef53, 65000], // ext2/3/4
  [0x9123683e, 65535], // btrfs
  [0x58465342, 2147483647], // xfs
  [0x01021994, 2147483647], // tmpfs
]);

/**
 * Filesystem operations confined to one export. Every name is resolved inside a directory descriptor
 * through /proc/self/fd/<fd>/<name> without following symlinks, so neither a symlink stored in the tree
 * nor a directory swapped for one between requests can lead outside the export. All path-based calls are
 * synchronous (see procPath). With the native addon, the two calls made per directory entry (lstat and
 * the O_PATH open of a child) use statx/openat on the descriptor instead, under the same rules.
 *
 * Mount points: without crossMounts, LOOKUP of a directory on which another filesystem is mounted answers
 * 'EACCES' (knfsd would show the covered directory, which Node cannot reach).
 */
export class ConfinedFs {
  private rootFd: number | undefined;
  private rootIdent: Identity | undefined;
  private rootMnt: bigint | undefined;
  private readonly snapshots = new DirSnapshotCache();
  private readonly enforce: boolean;

  constructor(private readonly options: ConfinedFsOptions) {
    this.enforce = options.privileged;
  }

  get readOnly(): boolean {
    return this.options.readOnly;
  }

  /** A new VNode for the export root (the caller owns it). */
  openRoot(): FsResult<VNode> {
    if (this.rootFd === undefined) {
      const opened = attempt(() =>
        openWithRelief(() => fs.openSync(this.options.root, O_PATH | O_DIRECTORY | O_NOFOLLOW)),
      );
      if (!opened.ok) return fail(opened.errno);
      this.rootFd = opened.value;
      this.rootIdent = identityOfFd(opened.value, fs.fstatSync(opened.value, BIGINT));
      this.rootMnt = mountIdOf(opened.value, EMPTY_NAME);
    }
    return this.reopen(this.rootFd, this.rootIdent!);
  }

  /** Releases the descriptor kept for the root. VNodes handed out stay the callers' to close. */
  close(): void {
    if (this.rootFd !== undefined) closeQuietly(this.rootFd);
    this.rootFd = undefined;
  }

  closeVNode(node: VNode): void {
    closeQuietly(node.fd);
  }

  getattr(node: VNode): FsResult<Attrs> {
    const st = this.verify(node);
    return st.ok ? ok(attrsFromStats(st.value)) : st;
  }

  /** The ctime of the node's object (ns) after the same checks as every operation (identity, nlink > 0),
   * at the cost of one statx: what callers compare to tell whether the object was renamed meanwhile. */
  changeStamp(node: VNode): FsResult<bigint> {
    const st = fstatOf(node.fd);
    if (!st.ok) return st;
    if (!sameIdentity(identityOfFd(node.fd, st.value), node.ident)) return fail('EBADF');
    return st.value.nlink === 0n ? fail('ESTALE') : ok(st.value.ctimeNs);
  }

  /** The ACCESS3 answer for `requested` bits, with the object's attributes. */
  access(node: VNode, caller: Caller, requested: number): FsResult<{ granted: number; attrs: Attrs }> {
    const st = this.verify(node);
    if (!st.ok) return st;
    const attrs = attrsFromStats(st.value);
    let granted = this.enforce ? accessBits(caller, attrs, requested) : requested;
    if (this.options.readOnly) granted &= ~MUTATING_ACCESS;
    return ok({ granted, attrs });
  }

  lookup(dir: VNode, name: Buffer, caller: Caller): FsResult<Resolved> {
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotDot(name)) return this.lookupParent(dir, caller);
    const dirSt = this.verifyDir(dir, caller, X_OK);
    if (!dirSt.ok) return dirSt;
    if (isDotOrDotDot(name)) return this.resolved(this.reopen(dir.fd, dir.ident));
    return this.resolved(this.openChild(dir.fd, name));
  }

  /** '..' of `dir`; at the export root, the root itself. */
  lookupParent(dir: VNode, caller: Caller): FsResult<Resolved> {
    const dirSt = this.verifyDir(dir, caller, X_OK);
    if (!dirSt.ok) return dirSt;
    const root = this.root();
    if (!root.ok) return root;
    if (sameIdentity(dir.ident, root.value.ident))
      return this.resolved(this.reopen(root.value.fd, root.value.ident));
    const opened = this.open(procPath(dir.fd, Buffer.from('..')), O_PATH | O_DIRECTORY | O_NOFOLLOW);
    if (!opened.ok) return opened;
    if (!this.insideExport(opened.value.fd)) {
      closeQuietly(opened.value.fd);
      return fail('ESTALE');
    }
    return this.resolved(opened);
  }

  /**
   * SETATTR. `names` are places the caller knows the object by (parent descriptor and name, e.g. from the
   * catalog): changing a symlink's times needs one, since utimensat can leave a symlink unfollowed only
   * by name; without a usable one the call answers EAGAIN (JUKEBOX) and the client retries.
   */
  setattr(
    node: VNode,
    caller: Caller,
    req: SetattrRequest,
    guardCtime?: NfsTime,
    names: readonly KnownName[] = [],
  ): FsResult<SetattrResult> {
    if (this.options.readOnly) return fail('EROFS');
    const st = this.verify(node);
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
    const self = procPath(node.fd);
    const applied = attempt(() => {
      if (req.size !== undefined) {
        fs.truncateSync(self, Number(req.size));
        // As the kernel's truncate does for a caller without CAP_FSETID; an explicit mode wins below.
        const stripped = this.enforce && req.mode === undefined ? modeAfterWrite(caller, attrs) : undefined;
        if (stripped !== undefined) fs.chmodSync(self, stripped);
      }
      if (req.uid !== undefined || req.gid !== undefined) {
        fs.chownSync(self, req.uid ?? attrs.uid, req.gid ?? attrs.gid);
      }
      if (req.mode !== undefined) fs.chmodSync(self, effectiveChmod(caller, req.mode, req.gid ?? attrs.gid));
    });
    if (!applied.ok) return fail(applied.errno);
    if (req.atime !== undefined || req.mtime !== undefined) {
      const times = this.setTimes(node, attrs.type, nativeTime(req.atime), nativeTime(req.mtime), names);
      if (!times.ok) return times;
    }
    const after = this.verify(node);
    if (!after.ok) return after;
    const now = attrsFromStats(after.value);
    // chown(2) leaves an id it cannot map unchanged: answering OK would claim a change that did not happen.
    if ((req.uid !== undefined && now.uid !== req.uid) || (req.gid !== undefined && now.gid !== req.gid)) {
      return fail('EINVAL');
    }
    return ok({ before: wccAttrs(st.value), after: now });
  }

  create(
    dir: VNode,
    name: Buffer,
    caller: Caller,
    mode: number,
    how: { readonly exclusive: boolean },
  ): FsResult<Created> {
    const pre = this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const path = procPath(dir.fd, name);
    const opened = attempt(() =>
      openWithRelief(() =>
        fs.openSync(
          path,
          fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW | fs.constants.O_RDONLY,
          0o600,
        ),
      ),
    );
    if (!opened.ok) {
      if (opened.errno !== 'EEXIST' || how.exclusive) return fail(opened.errno);
      const existing = this.openChild(dir.fd, name);
      if (!existing.ok) return existing;
      if (existing.value.type !== FileType.REG) {
        closeQuietly(existing.value.fd);
        return fail('EEXIST');
      }
      return this.finishCreate(dir, pre.value, existing, false);
    }
    const fd = opened.value;
    const ident = identityOfFd(fd, fs.fstatSync(fd, BIGINT));
    const owned = this.takeOwnership(fd, caller, pre.value, mode, FileType.REG);
    if (!owned.ok) this.discardCreated(dir.fd, name, ident, false);
    const node = owned.ok ? this.reopen(fd, ident) : owned;
    closeQuietly(fd);
    return this.finishCreate(dir, pre.value, node, true);
  }

  mkdir(dir: VNode, name: Buffer, caller: Caller, mode: number): FsResult<Created> {
    const pre = this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const path = procPath(dir.fd, name);
    const made = attempt(() => fs.mkdirSync(path, 0o700));
    if (!made.ok) return fail(made.errno);
    return this.adoptCreated(dir, name, caller, pre.value, mode, FileType.DIR);
  }

  /** The target is stored verbatim and never interpreted by the server. */
  symlink(dir: VNode, name: Buffer, target: Buffer, caller: Caller): FsResult<Created> {
    const badTarget = validateSymlinkTarget(target);
    if (badTarget !== undefined) return fail(badTarget);
    const pre = this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const made = attempt(() => fs.symlinkSync(target, procPath(dir.fd, name)));
    if (!made.ok) return fail(made.errno);
    return this.adoptCreated(dir, name, caller, pre.value, 0o777, FileType.LNK);
  }

  /** FIFOs and sockets for anyone allowed to create; devices only for root on a privileged server. */
  mknod(
    dir: VNode,
    name: Buffer,
    type: SpecialType,
    caller: Caller,
    mode: number,
    rdev: { major: number; minor: number } = { major: 0, minor: 0 },
  ): FsResult<Created> {
    const isDevice = type === FileType.CHR || type === FileType.BLK;
    if (isDevice && !this.options.privileged) return fail('ENOTSUP');
    if (isDevice && caller.uid !== 0) return fail('EPERM');
    const pre = this.beginCreate(dir, name, caller);
    if (!pre.ok) return pre;
    const made = makeSpecial(dir.fd, name, type, rdev);
    if (!made.ok) return made;
    return this.adoptCreated(dir, name, caller, pre.value, mode, type);
  }

  readlink(node: VNode): FsResult<Buffer> {
    const st = this.verify(node);
    if (!st.ok) return st;
    if (fileTypeOf(st.value) !== FileType.LNK) return fail('EINVAL');
    // The descriptor holds the symlink itself: read it as such, wherever it is and however deep.
    const target = requiredFsAt().readlinkAt(node.fd, EMPTY_NAME);
    return typeof target === 'string' ? fail(toErrno(systemError(target, 'readlinkat'))) : ok(target);
  }

  /** REMOVE: anything but a directory. */
  remove(dir: VNode, name: Buffer, caller: Caller): FsResult<Removed> {
    return this.unlinkLike(dir, name, caller, false);
  }

  rmdir(dir: VNode, name: Buffer, caller: Caller): FsResult<Removed> {
    return this.unlinkLike(dir, name, caller, true);
  }

  rename(fromDir: VNode, fromName: Buffer, toDir: VNode, toName: Buffer, caller: Caller): FsResult<Renamed> {
    if (this.options.readOnly) return fail('EROFS');
    for (const name of [fromName, toName]) {
      const bad = validateName(name);
      if (bad !== undefined) return fail(bad);
      if (isDotOrDotDot(name)) return fail('EPERM');
    }
    const fromSt = this.verifyDir(fromDir, caller, W_OK | X_OK);
    if (!fromSt.ok) return fromSt;
    const toSt = this.verifyDir(toDir, caller, W_OK | X_OK);
    if (!toSt.ok) return toSt;
    const source = this.lstatChild(fromDir.fd, fromName);
    if (!source.ok) return source;
    const target = this.lstatChild(toDir.fd, toName);
    if (!target.ok && target.errno !== 'ENOENT') return target;
    // Both names change meaning below: their identities are read while they still name the objects.
    const moved = identityOfChild(fromDir.fd, fromName, source.value);
    const replaced = target.ok ? identityOfChild(toDir.fd, toName, target.value) : undefined;
    if (this.enforce) {
      const sourceAttrs = attrsFromStats(source.value);
      if (!stickyAllows(caller, attrsFromStats(fromSt.value), sourceAttrs)) return fail('EPERM');
      if (target.ok && !stickyAllows(caller, attrsFromStats(toSt.value), attrsFromStats(target.value))) {
        return fail('EPERM');
      }
      // Moving a directory to another parent rewrites its '..' entry.
      const crossesParents = !sameIdentity(fromDir.ident, toDir.ident);
      if (crossesParents && sourceAttrs.type === FileType.DIR && !mayAccess(caller, sourceAttrs, W_OK)) {
        return fail('EACCES');
      }
    }
    const renamed = attempt(() => fs.renameSync(procPath(fromDir.fd, fromName), procPath(toDir.fd, toName)));
    if (!renamed.ok) return fail(renamed.errno);
    return ok({
      fromDir: this.wccAfter(fromDir, fromSt.value),
      toDir: this.wccAfter(toDir, toSt.value),
      moved,
      replaced,
      replacedLinksLeft: target.ok ? linksLeftAfterRemoval(target.value) : 0n,
    });
  }

  /** LINK: a new name in `dir` for the object `node`. */
  link(node: VNode, dir: VNode, name: Buffer, caller: Caller): FsResult<Linked> {
    if (this.options.readOnly) return fail('EROFS');
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotOrDotDot(name)) return fail('EEXIST');
    const st = this.verify(node);
    if (!st.ok) return st;
    if (fileTypeOf(st.value) === FileType.DIR) return fail('EISDIR');
    const dirSt = this.verifyDir(dir, caller, W_OK | X_OK);
    if (!dirSt.ok) return dirSt;
    if (this.enforce && !mayHardlink(caller, attrsFromStats(st.value), hostProtectsHardlinks())) {
      return fail('EPERM');
    }
    // linkat through the descriptor's magic link (AT_SYMLINK_FOLLOW): the object it holds, wherever it is
    // now and whichever name it was opened through (that name may have been removed while the object
    // lives on under others: rename(a, b); link(b, a); unlink(b); ...), without spelling out its path, so
    // neither long names nor deep trees matter. An object with no name left cannot be linked: STALE.
    const made = requiredFsAt().linkFdAt(node.fd, dir.fd, name);
    if (made !== undefined) return fail(made === 'ENOENT' ? 'ESTALE' : toErrno(systemError(made, 'linkat')));
    const created = this.childIdentity(dir.fd, name);
    if (!created.ok || !sameIdentity(created.value, node.ident)) {
      // The name was replaced after linkat made it: it is someone else's now, so it is left alone.
      return fail('ESTALE');
    }
    const after = this.verify(node);
    if (!after.ok) return after;
    return ok({ attrs: attrsFromStats(after.value), dir: this.wccAfter(dir, dirSt.value) });
  }

  /** A snapshot of the directory in cookie order; see readdir.ts for why cookies survive restarts. */
  readdir(dir: VNode, caller: Caller): FsResult<DirListing> {
    const st = this.verifyDir(dir, caller, R_OK);
    if (!st.ok) return st;
    const version = { ident: dir.ident, mtimeNs: st.value.mtimeNs, ctimeNs: st.value.ctimeNs };
    const cached = this.snapshots.get(version);
    if (cached !== undefined) return ok(cached);
    const names = attempt(() => fs.readdirSync(procPath(dir.fd), { encoding: 'buffer' }));
    if (!names.ok) return fail(names.errno);
    const listing = { entries: assignCookies(names.value), verifier: verifierFromMtime(st.value.mtimeNs) };
    this.snapshots.put(version, listing);
    return ok(listing);
  }

  /** Attributes of one entry of `dir` without following it (READDIRPLUS). Mount points are refused like
   * LOOKUP refuses them. */
  entryAttrs(dir: VNode, name: Buffer): FsResult<Attrs> {
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    const dirSt = this.verify(dir);
    if (!dirSt.ok) return dirSt;
    const st = this.lstatChild(dir.fd, name);
    if (!st.ok) return st;
    if (!isDotOrDotDot(name) && this.crossesMount(dir.fd, name, st.value)) return fail('EACCES');
    return ok(attrsFromStats(st.value));
  }

  /**
   * Attributes and identity of one entry of `dir`, without following it or opening it: READDIRPLUS uses
   * it to recognise entries whose objects it already knows. `dirVerified` skips re-checking `dir` when
   * the caller verified it during the same synchronous operation.
   */
  entryIdentity(dir: VNode, name: Buffer, dirVerified = false): FsResult<{ attrs: Attrs; ident: Identity }> {
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (!dirVerified) {
      const dirSt = this.verify(dir);
      if (!dirSt.ok) return dirSt;
    }
    const st = this.lstatChild(dir.fd, name);
    if (!st.ok) return st;
    if (!isDotOrDotDot(name) && this.crossesMount(dir.fd, name, st.value)) return fail('EACCES');
    return ok({ attrs: attrsFromStats(st.value), ident: identityOfChild(dir.fd, name, st.value) });
  }

  /** The fileid of a listed entry, cached in the snapshot after the first lstat. */
  entryFileid(dir: VNode, entry: DirEntry): FsResult<bigint> {
    if (entry.fileid !== undefined) return ok(entry.fileid);
    let fileid: FsResult<bigint>;
    if (entry.cookie === DOT_COOKIE) {
      fileid = ok(dir.ident.ino);
    } else if (entry.cookie === DOTDOT_COOKIE) {
      const root = this.root();
      if (!root.ok) return root;
      if (sameIdentity(dir.ident, root.value.ident)) fileid = ok(dir.ident.ino);
      else {
        const attrs = this.entryAttrs(dir, entry.name);
        fileid = attrs.ok ? ok(attrs.value.fileid) : attrs;
      }
    } else {
      // Not entryAttrs: a mount point is listed with the inode number it shows, as knfsd lists it; only
      // looking it up (and its attributes) is refused.
      const bad = validateName(entry.name);
      if (bad !== undefined) return fail(bad);
      const dirSt = this.verify(dir);
      if (!dirSt.ok) return dirSt;
      const ident = this.childIdentity(dir.fd, entry.name);
      fileid = ident.ok ? ok(ident.value.ino) : ident;
    }
    if (fileid.ok) entry.fileid = fileid.value;
    return fileid;
  }

  /** FSSTAT of the filesystem `node` is on (a crossed mount has its own), or of the export's. */
  statfs(node?: VNode): FsResult<FsStat> {
    const on = this.filesystemOf(node);
    if (!on.ok) return on;
    const st = attempt(() => fs.statfsSync(procPath(on.value), BIGINT));
    if (!st.ok) return fail(st.errno);
    const s = st.value;
    return ok({
      totalBytes: s.blocks * s.bsize,
      freeBytes: s.bfree * s.bsize,
      availBytes: s.bavail * s.bsize,
      totalFiles: s.files,
      freeFiles: s.ffree,
      availFiles: s.ffree,
    });
  }

  pathconf(node?: VNode): FsResult<PathConf> {
    const on = this.filesystemOf(node);
    if (!on.ok) return on;
    const st = attempt(() => fs.statfsSync(procPath(on.value)));
    if (!st.ok) return fail(st.errno);
    return ok({
      linkMax: LINK_MAX_BY_FS_TYPE.get(st.value.type) ?? 65000,
      nameMax: NAME_MAX,
      noTrunc: true,
      chownRestricted: true,
      caseInsensitive: false,
      casePreserving: true,
    });
  }

  // ---- internals ------------------------------------------------------------------------------------

  /** A verified descriptor on the filesystem of `node`, or of the export root without one. */
  private filesystemOf(node: VNode | undefined): FsResult<number> {
    if (node !== undefined) {
      const st = this.verify(node);
      return st.ok ? ok(node.fd) : st;
    }
    const root = this.root();
    return root.ok ? ok(root.value.fd) : root;
  }

  private root(): FsResult<{ fd: number; ident: Identity }> {
    if (this.rootFd === undefined) {
      const opened = this.openRoot();
      if (!opened.ok) return opened;
      closeQuietly(opened.value.fd);
    }
    return ok({ fd: this.rootFd!, ident: this.rootIdent! });
  }

  /** fstat of the node's descriptor, refusing a descriptor that was closed or now names another object,
   * and an object with no name left (deleted on the host: only our descriptor keeps it, and serving it
   * would show old data and keep its space allocated). */
  private verify(node: VNode): FsResult<BigIntStats> {
    const st = attempt(() => fs.fstatSync(node.fd, BIGINT));
    if (!st.ok) return fail(st.errno === 'EBADF' ? 'EBADF' : st.errno);
    if (!sameIdentity(identityOfFd(node.fd, st.value), node.ident)) return fail('EBADF');
    return st.value.nlink === 0n ? fail('ESTALE') : st;
  }

  private verifyDir(dir: VNode, caller: Caller, want: number): FsResult<BigIntStats> {
    const st = this.verify(dir);
    if (!st.ok) return st;
    if (fileTypeOf(st.value) !== FileType.DIR) return fail('ENOTDIR');
    if (this.enforce && !mayAccess(caller, attrsFromStats(st.value), want)) return fail('EACCES');
    return st;
  }

  private open(path: Buffer, flags: number): FsResult<VNode> {
    const opened = attempt(() => openWithRelief(() => fs.openSync(path, flags)));
    return opened.ok ? describe(opened.value) : fail(opened.errno);
  }

  /** A second descriptor for the object `fd` refers to. Without O_NOFOLLOW the magic link is followed to
   * exactly that object (and no further, even for a symlink). */
  private reopen(fd: number, ident: Identity): FsResult<VNode> {
    const opened = this.open(procPath(fd), O_PATH);
    if (!opened.ok) return fail(opened.errno === 'ENOENT' ? 'EBADF' : opened.errno);
    if (!sameIdentity(opened.value.ident, ident)) {
      closeQuietly(opened.value.fd);
      return fail('EBADF');
    }
    return opened;
  }

  private openChild(dirFd: number, name: Buffer): FsResult<VNode> {
    const flags = O_PATH | O_NOFOLLOW;
    const opened =
      fsAt === undefined ? this.open(procPath(dirFd, name), flags) : openAtNative(fsAt, dirFd, name, flags);
    if (!opened.ok) return opened;
    if (!this.options.crossMounts && opened.value.mnt !== this.rootMnt) {
      closeQuietly(opened.value.fd);
      return fail('EACCES');
    }
    return opened;
  }

  /** Whether the entry `name` of `dirFd`, whose lstat is `st`, is on another mount than the export root
   * (by mount id: a bind mount of the same device counts) and this view may not cross into it. */
  private crossesMount(dirFd: number, name: Buffer, st: StatLike): boolean {
    if (this.options.crossMounts || this.rootIdent === undefined) return false;
    if (st.dev !== this.rootIdent.dev) return true;
    return mountIdOf(dirFd, name, st) !== this.rootMnt;
  }

  private lstatChild(dirFd: number, name: Buffer): FsResult<StatLike> {
    if (fsAt !== undefined) {
      const st = fsAt.statxAt(dirFd, name, true);
      return typeof st === 'string' ? fail(toErrno(systemError(st, 'statx'))) : ok(st);
    }
    const st = attempt(() => fs.lstatSync(procPath(dirFd, name), BIGINT));
    return st.ok ? st : fail(st.errno);
  }

  private childIdentity(dirFd: number, name: Buffer): FsResult<Identity> {
    const st = this.lstatChild(dirFd, name);
    return st.ok ? ok(identityOfChild(dirFd, name, st.value)) : st;
  }

  private resolved(node: FsResult<VNode>): FsResult<Resolved> {
    if (!node.ok) return node;
    const st = this.verify(node.value);
    if (!st.ok) {
      closeQuietly(node.value.fd);
      return st;
    }
    return ok({ node: node.value, attrs: attrsFromStats(st.value) });
  }

  /** Whether the directory `fd` holds lies below the export root now, found by walking its '..' chain. */
  private insideExport(fd: number): boolean {
    const root = this.root();
    return root.ok && isBelow(fd, root.value.ident);
  }

  /** utimensat with nanoseconds: through the magic link for anything but a symlink, which is changed by
   * name in its parent (AT_SYMLINK_NOFOLLOW) after checking the name still holds it. */
  private setTimes(
    node: VNode,
    type: FileType,
    atime: NativeTime,
    mtime: NativeTime,
    names: readonly KnownName[],
  ): FsResult<void> {
    const at = requiredFsAt();
    const set = (dirFd: number, name: Buffer, flags: number): FsResult<void> => {
      const failed = at.utimensAt(dirFd, name, atime, mtime, flags);
      return failed === undefined ? ok(undefined) : fail(toErrno(systemError(failed, 'utimensat')));
    };
    if (type !== FileType.LNK) return set(node.fd, EMPTY_NAME, 0);
    const nofollow = at.constants.AT_SYMLINK_NOFOLLOW;
    for (const { dir, name } of names) {
      if (validateName(name) !== undefined || !this.verify(dir).ok) continue;
      const found = this.childIdentity(dir.fd, name);
      if (found.ok && sameIdentity(found.value, node.ident)) return set(dir.fd, name, nofollow);
    }
    // No name the catalog knows holds it now (renamed behind the server's back a moment ago): the object
    // is fine, so not STALE; the client retries and finds it under the name the catalog learns meanwhile.
    return fail('EAGAIN');
  }

  private beginCreate(dir: VNode, name: Buffer, caller: Caller): FsResult<BigIntStats> {
    if (this.options.readOnly) return fail('EROFS');
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotOrDotDot(name)) return fail('EEXIST');
    return this.verifyDir(dir, caller, W_OK | X_OK);
  }

  /** Opens what was just created under `name`, gives it to the caller and applies the mode. */
  private adoptCreated(
    dir: VNode,
    name: Buffer,
    caller: Caller,
    dirBefore: BigIntStats,
    mode: number,
    type: FileType,
  ): FsResult<Created> {
    const node = this.open(procPath(dir.fd, name), O_PATH | O_NOFOLLOW);
    if (!node.ok) return node;
    if (node.value.type !== type) {
      closeQuietly(node.value.fd);
      return fail('EEXIST');
    }
    const owned = this.takeOwnership(node.value.fd, caller, dirBefore, mode, type);
    if (!owned.ok) {
      this.discardCreated(dir.fd, name, node.value.ident, type === FileType.DIR);
      closeQuietly(node.value.fd);
      return owned;
    }
    return this.finishCreate(dir, dirBefore, node, true);
  }

  /** chown to the caller (the parent's group under a setgid parent), then chmod without umask: chown
   * would clear setuid/setgid bits set before it. The server creates as root, so the result is checked:
   * an id chown(2) ignores or cannot map would otherwise leave a root-owned (even setuid) object, and
   * the caller must then remove it ('EPERM'). */
  private takeOwnership(
    fd: number,
    caller: Caller,
    dirBefore: BigIntStats,
    mode: number,
    type: FileType,
  ): FsResult<void> {
    const parent = attrsFromStats(dirBefore);
    const gid = creationGid(caller, parent);
    const self = procPath(fd);
    if (this.options.privileged && (caller.uid === INVALID_ID || gid === INVALID_ID)) return fail('EPERM');
    const done = attempt(() => {
      if (this.options.privileged) fs.chownSync(self, caller.uid, gid);
      if (type !== FileType.LNK) fs.chmodSync(self, creationMode(caller, parent, mode, type, gid));
      return fs.fstatSync(fd, BIGINT);
    });
    if (!done.ok) return fail(done.errno);
    if (
      this.options.privileged &&
      (Number(done.value.uid) !== caller.uid || Number(done.value.gid) !== gid)
    ) {
      return fail('EPERM');
    }
    return ok(undefined);
  }

  /** Removes an object this request just made under `name` (if the name still holds it). */
  private discardCreated(dirFd: number, name: Buffer, ident: Identity, directory: boolean): void {
    const still = this.childIdentity(dirFd, name);
    if (!still.ok || !sameIdentity(still.value, ident)) return;
    const path = procPath(dirFd, name);
    attempt(() => (directory ? fs.rmdirSync(path) : fs.unlinkSync(path)));
  }

  private finishCreate(
    dir: VNode,
    dirBefore: BigIntStats,
    node: FsResult<VNode>,
    created: boolean,
  ): FsResult<Created> {
    const res = this.resolved(node);
    if (!res.ok) return res;
    return ok({ ...res.value, created, dir: this.wccAfter(dir, dirBefore) });
  }

  private unlinkLike(dir: VNode, name: Buffer, caller: Caller, directory: boolean): FsResult<Removed> {
    if (this.options.readOnly) return fail('EROFS');
    const bad = validateName(name);
    if (bad !== undefined) return fail(bad);
    if (isDotOrDotDot(name)) return fail('EACCES');
    const dirSt = this.verifyDir(dir, caller, W_OK | X_OK);
    if (!dirSt.ok) return dirSt;
    const child = this.lstatChild(dir.fd, name);
    if (!child.ok) return child;
    const isDir = (Number(child.value.mode) & 0o170000) === S_IFDIR;
    if (isDir !== directory) return fail(directory ? 'ENOTDIR' : 'EISDIR');
    if (this.enforce && !stickyAllows(caller, attrsFromStats(dirSt.value), attrsFromStats(child.value))) {
      return fail('EPERM');
    }
    const removed = identityOfChild(dir.fd, name, child.value);
    const path = procPath(dir.fd, name);
    const done = attempt(() => (directory ? fs.rmdirSync(path) : fs.unlinkSync(path)));
    if (!done.ok) return fail(done.errno);
    return ok({
      dir: this.wccAfter(dir, dirSt.value),
      removed,
      linksLeft: linksLeftAfterRemoval(child.value),
    });
  }

  private wccAfter(dir: VNode, before: BigIntStats): WccData {
    const after = this.verify(dir);
    return { before: wccAttrs(before), after: after.ok ? attrsFromStats(after.value) : undefined };
  }
}

/** The link count of an object one of whose names was just removed; a directory has no others. */
function linksLeftAfterRemoval(st: StatLike): bigint {
  if ((Number(st.mode) & 0o170000) === S_IFDIR) return 0n;
  const nlink = BigInt(st.nlink);
  return nlink > 0n ? nlink - 1n : 0n;
}

/** A VNode for a freshly opened descriptor, which it takes over (closed on failure). */
function describe(fd: number): FsResult<VNode> {
  const st = fstatOf(fd);
  if (!st.ok) closeQuietly(fd);
  if (!st.ok) return st;
  const mnt = mountIdOf(fd, EMPTY_NAME, st.value);
  return ok({ fd, ident: identityOfFd(fd, st.value), type: fileTypeOf(st.value), mnt });
}

/** The mount id of `name` in `dirFd` (of `dirFd` itself for an empty name), -1n when it cannot be told:
 * from `known` when that is the addon's statx, else asked of the addon even where its fast paths are
 * turned off (node:fs does not report it). */
function mountIdOf(dirFd: number, name: Buffer, known?: StatLike): bigint {
  if (known !== undefined && 'mntId' in known && typeof known.mntId === 'bigint') return known.mntId;
  const st = requiredFsAt().statxAt(dirFd, name, true);
  return typeof st === 'string' ? -1n : st.mntId;
}

function fstatOf(fd: number): FsResult<StatLike> {
  if (fsAt !== undefined) {
    const st = fsAt.statxAt(fd, EMPTY_NAME, true);
    return typeof st === 'string' ? fail(toErrno(systemError(st, 'statx'))) : ok(st);
  }
  const st = attempt(() => fs.fstatSync(fd, BIGINT));
  return st.ok ? st : fail(st.errno);
}

/** openat(dirFd, name) through the addon. Running out of descriptors relieves the caches and retries once,
 * as openWithRelief does for node:fs; other failures are returned, not thrown. */
function openAtNative(at: FsAt, dirFd: number, name: Buffer, flags: number): FsResult<VNode> {
  const first = at.openAt(dirFd, name, flags, 0);
  if (typeof first === 'number') return describe(first);
  if (first !== 'EMFILE' && first !== 'ENFILE') return fail(toErrno(systemError(first, 'openat')));
  const retried = attempt(() =>
    openWithRelief(() => {
      const fd = at.openAt(dirFd, name, flags, 0);
      if (typeof fd === 'string') throw systemError(fd, 'openat');
      return fd;
    }),
  );
  return retried.ok ? describe(retried.value) : fail(retried.errno);
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
