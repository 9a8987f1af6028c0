import fs, { type BigIntStats } from 'node:fs';
import {
  accessBits,
  checkSetattr,
  creationGid,
  creationMode,
  effectiveChmod,
  MUTATING_ACCESS,
  mayAccess,
  R_OK,
  type SetattrRequest,
  stickyAllows,
  type TimeChange,
  W_OK,
  X_OK,
} from './access.js';
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
import type { Caller } from './credentials.js';
import { openWithRelief } from './descriptors.js';
import { attempt, toErrno } from './errors.js';
import { isDotDot, isDotOrDotDot, NAME_MAX, validateName, validateSymlinkTarget } from './names.js';
import { type FsAt, nativeFsAt, systemError } from './native.js';
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
import { makeSpecial, type SpecialType } from './special-files.js';
import { FileType, type FsResult, fail, type Identity, ok, sameIdentity, type VNode } from './types.js';

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
}

export interface Renamed {
  readonly fromDir: WccData;
  readonly toDir: WccData;
  readonly moved: Identity;
  /** The object the target name referred to before, if any. */
  readonly replaced: Identity | undefined;
}

export interface Linked {
  readonly attrs: Attrs;
  readonly dir: WccData;
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
      this.rootIdent = identityOf(fs.fstatSync(opened.value, BIGINT));
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

  setattr(node: VNode, caller: Caller, req: SetattrRequest, guardCtime?: NfsTime): FsResult<SetattrResult> {
    if (this.options.readOnly) return fail('EROFS');
    const st = this.verify(node);
    if (!st.ok) return st;
    const attrs = attrsFromStats(st.value);
    if (guardCtime !== undefined) {
      if (guardCtime.seconds !== attrs.ctime.seconds || guardCtime.nseconds !== attrs.ctime.nseconds) {
        return fail('ENOTSYNC');
      }
    }
    if (this.enforce) {
      const refused = checkSetattr(caller, attrs, req);
      if (refused !== undefined) return fail(refused);
    }
    if (
      attrs.type === FileType.LNK &&
      (req.mode !== undefined || req.atime !== undefined || req.mtime !== undefined)
    ) {
      // Linux has no lchmod, and utimes through the magic link is not guaranteed to stay on the link.
      return fail('ENOTSUP');
    }
    if (req.size !== undefined && attrs.type !== FileType.REG)
      return fail(attrs.type === FileType.DIR ? 'EISDIR' : 'EINVAL');
    const self = procPath(node.fd);
    const applied = attempt(() => {
      if (req.size !== undefined) fs.truncateSync(self, Number(req.size));
      if (req.uid !== undefined || req.gid !== undefined) {
        fs.chownSync(self, req.uid ?? attrs.uid, req.gid ?? attrs.gid);
      }
      if (req.mode !== undefined) fs.chmodSync(self, effectiveChmod(caller, req.mode, req.gid ?? attrs.gid));
      if (req.atime !== undefined || req.mtime !== undefined) {
        fs.utimesSync(self, toUtime(req.atime, st.value.atimeNs), toUtime(req.mtime, st.value.mtimeNs));
      }
    });
    if (!applied.ok) return fail(applied.errno);
    const after = this.verify(node);
    if (!after.ok) return after;
    return ok({ before: wccAttrs(st.value), after: attrsFromStats(after.value) });
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
    const owned = this.takeOwnership(fd, caller, pre.value, mode, FileType.REG);
    const node = owned.ok ? this.reopen(fd, identityOf(fs.fstatSync(fd, BIGINT))) : owned;
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
    return this.withLocation(node, (parentFd, name) => {
      const target = attempt(() => fs.readlinkSync(procPath(parentFd, name), { encoding: 'buffer' }));
      if (!target.ok) return fail(target.errno);
      // The name may have been replaced between the identity check and readlink.
      const still = this.childIdentity(parentFd, name);
      return still.ok && sameIdentity(still.value, node.ident) ? ok(target.value) : fail('ESTALE');
    });
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
      moved: identityOf(source.value),
      replaced: target.ok ? identityOf(target.value) : undefined,
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
    const newPath = procPath(dir.fd, name);
    // link(2) cannot take the magic link as its source (it would link the /proc entry itself), so the
    // object's current name is found by walking from the root without following symlinks.
    const linked = this.withLocation(node, (parentFd, oldName) => {
      const made = attempt(() => fs.linkSync(procPath(parentFd, oldName), newPath));
      return made.ok ? ok(undefined) : fail<undefined>(made.errno);
    });
    if (!linked.ok) return linked;
    const created = this.childIdentity(dir.fd, name);
    if (!created.ok || !sameIdentity(created.value, node.ident)) {
      attempt(() => fs.unlinkSync(newPath));
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
    if (!isDotOrDotDot(name) && this.crossesMount(st.value)) return fail('EACCES');
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
    if (!isDotOrDotDot(name) && this.crossesMount(st.value)) return fail('EACCES');
    return ok({ attrs: attrsFromStats(st.value), ident: identityOf(st.value) });
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

  statfs(): FsResult<FsStat> {
    const root = this.root();
    if (!root.ok) return root;
    const st = attempt(() => fs.statfsSync(procPath(root.value.fd), BIGINT));
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

  pathconf(): FsResult<PathConf> {
    const root = this.root();
    if (!root.ok) return root;
    const st = attempt(() => fs.statfsSync(procPath(root.value.fd)));
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

  private root(): FsResult<{ fd: number; ident: Identity }> {
    if (this.rootFd === undefined) {
      const opened = this.openRoot();
      if (!opened.ok) return opened;
      closeQuietly(opened.value.fd);
    }
    return ok({ fd: this.rootFd!, ident: this.rootIdent! });
  }

  /** fstat of the node's descriptor, refusing a descriptor that was closed or now names another object. */
  private verify(node: VNode): FsResult<BigIntStats> {
    const st = attempt(() => fs.fstatSync(node.fd, BIGINT));
    if (!st.ok) return fail(st.errno === 'EBADF' ? 'EBADF' : st.errno);
    return sameIdentity(identityOf(st.value), node.ident) ? st : fail('EBADF');
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
    if (opened.value.ident.dev !== this.rootIdent?.dev && !this.options.crossMounts) {
      closeQuietly(opened.value.fd);
      return fail('EACCES');
    }
    return opened;
  }

  private crossesMount(st: StatLike): boolean {
    return !this.options.crossMounts && this.rootIdent !== undefined && st.dev !== this.rootIdent.dev;
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
    return st.ok ? ok(identityOf(st.value)) : st;
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

  private insideExport(fd: number): boolean {
    const root = this.root();
    if (!root.ok) return false;
    const rootPath = attempt(() => fs.readlinkSync(procPath(root.value.fd), { encoding: 'buffer' }));
    const path = attempt(() => fs.readlinkSync(procPath(fd), { encoding: 'buffer' }));
    if (!rootPath.ok || !path.ok) return false;
    return (
      path.value.equals(rootPath.value) ||
      path.value.subarray(0, prefixOf(rootPath.value).length).equals(prefixOf(rootPath.value))
    );
  }

  /**
   * Runs `fn` with a descriptor of the directory currently holding `node` and its name there. The kernel
   * reports the object's current path; it is walked from the root one component at a time with
   * O_NOFOLLOW, and the last component must still be `node`.
   */
  private withLocation<T>(node: VNode, fn: (parentFd: number, name: Buffer) => FsResult<T>): FsResult<T> {
    const root = this.root();
    if (!root.ok) return root;
    if (sameIdentity(node.ident, root.value.ident)) return fail('EINVAL');
    const paths = attempt(() => ({
      root: fs.readlinkSync(procPath(root.value.fd), { encoding: 'buffer' }),
      node: fs.readlinkSync(procPath(node.fd), { encoding: 'buffer' }),
    }));
    if (!paths.ok) return fail(paths.errno === 'ENOENT' ? 'EBADF' : paths.errno);
    const prefix = prefixOf(paths.value.root);
    if (!paths.value.node.subarray(0, prefix.length).equals(prefix)) return fail('ESTALE');
    const parts = splitPath(paths.value.node.subarray(prefix.length));
    const last = parts.pop();
    if (last === undefined) return fail('ESTALE');
    let parentFd = root.value.fd;
    const release = () => {
      if (parentFd !== root.value.fd) closeQuietly(parentFd);
    };
    try {
      for (const part of parts) {
        const next = fs.openSync(procPath(parentFd, part), O_PATH | O_DIRECTORY | O_NOFOLLOW);
        release();
        parentFd = next;
      }
      const found = this.childIdentity(parentFd, last);
      if (!found.ok || !sameIdentity(found.value, node.ident)) return fail('ESTALE');
      return fn(parentFd, last);
    } catch (err) {
      const errno = toErrno(err);
      return fail(errno === 'ENOENT' || errno === 'ENOTDIR' || errno === 'ELOOP' ? 'ESTALE' : errno);
    } finally {
      release();
    }
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
      closeQuietly(node.value.fd);
      return owned;
    }
    return this.finishCreate(dir, dirBefore, node, true);
  }

  /** chown to the caller (the parent's group under a setgid parent), then chmod without umask: chown
   * would clear setuid/setgid bits set before it. */
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
    const done = attempt(() => {
      if (this.options.privileged) fs.chownSync(self, caller.uid, gid);
      if (type !== FileType.LNK) fs.chmodSync(self, creationMode(caller, parent, mode, type, gid));
    });
    return done.ok ? ok(undefined) : fail(done.errno);
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
    const path = procPath(dir.fd, name);
    const done = attempt(() => (directory ? fs.rmdirSync(path) : fs.unlinkSync(path)));
    if (!done.ok) return fail(done.errno);
    return ok({ dir: this.wccAfter(dir, dirSt.value), removed: identityOf(child.value) });
  }

  private wccAfter(dir: VNode, before: BigIntStats): WccData {
    const after = this.verify(dir);
    return { before: wccAttrs(before), after: after.ok ? attrsFromStats(after.value) : undefined };
  }
}

/** A VNode for a freshly opened descriptor, which it takes over (closed on failure). */
function describe(fd: number): FsResult<VNode> {
  const st = fstatOf(fd);
  if (!st.ok) closeQuietly(fd);
  return st.ok ? ok({ fd, ident: identityOf(st.value), type: fileTypeOf(st.value) }) : st;
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

/**
 * Node takes times as seconds in a double and passes microseconds to the kernel, so nanoseconds set by a
 * client are rounded to microseconds; a time not being changed is rewritten at the same precision.
 */
function toUtime(change: TimeChange | undefined, currentNs: bigint): number {
  if (change === undefined) return Number(currentNs / 1000n) / 1e6;
  if (change === 'now') return Date.now() / 1000;
  return change.seconds + change.nseconds / 1e9;
}

function prefixOf(rootPath: Buffer): Buffer {
  return rootPath.length === 1 ? rootPath : Buffer.concat([rootPath, Buffer.from('/')]);
}

function splitPath(path: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      if (i > start) parts.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}
