import {
  type NativeStat,
  type NativeTime,
  nativeModule,
  nativeStatus,
  type SystemErrorCode,
} from './native.js';
import { asyncFsAt, nativeOps } from './native-ops.js';
import { portableOps } from './portable-ops.js';

/**
 * The filesystem calls the vfs makes, every one asynchronous: they run on a thread pool, never on the
 * event loop, so a slow disk delays only the request waiting for it. Two implementations share this
 * interface: the native addon's (descriptor-relative *at system calls, one pool round trip per call)
 * and a portable one built on node:fs promises and /proc/self/fd paths, slower but correct, used when
 * the addon cannot load.
 *
 * Rules for both:
 * - A `name` is exactly one path component: one holding '/' or NUL is refused ('EINVAL') before any
 *   system call, so no intermediate component is ever walked (or a symlink in it followed).
 * - A negative directory descriptor is refused ('EBADF'): every name is relative to a descriptor the
 *   caller verified. An empty name means the descriptor itself (AT_EMPTY_PATH).
 * - Symlinks are never followed: stat is lstat-like, opens carry O_NOFOLLOW unless the caller passes
 *   flags without it for a descriptor's own magic link (reopen).
 * - System errors are values (the errno name, e.g. 'ENOENT'), never exceptions.
 * - Every descriptor returned is O_CLOEXEC and owned by the caller. A descriptor passed in must stay
 *   open until the returned promise settles (the caller pins it): its number must not be reused for
 *   another object while a pool thread still uses it.
 */
export interface FsOps {
  /** 'native' or 'portable', for the start-up log line. */
  readonly kind: 'native' | 'portable';

  /** statx(dirfd, name, AT_SYMLINK_NOFOLLOW); an empty name stats `dirfd` itself. `handle` is the
   * kernel file handle (name_to_handle_at, whole struct file_handle) when the filesystem reports no
   * birth time and gives a handle: what tells a reused inode apart there (see reuse-tag.ts). */
  stat(dirfd: number, name: Buffer): Promise<StatWithHandle | SystemErrorCode>;

  /** openat(dirfd, name, flags | O_CLOEXEC, mode), then statx of the new descriptor: one round trip.
   * Running out of descriptors is reported as 'EMFILE'/'ENFILE' (the caller relieves caches, retries). */
  open(dirfd: number, name: Buffer, flags: number, mode: number): Promise<Opened | SystemErrorCode>;

  mkdir(dirfd: number, name: Buffer, mode: number): Promise<undefined | SystemErrorCode>;
  /** symlinkat(target, dirfd, name): the target is stored verbatim. */
  symlink(target: Buffer, dirfd: number, name: Buffer): Promise<undefined | SystemErrorCode>;
  /** mknodat for FIFOs, sockets and devices. */
  mknod(
    dirfd: number,
    name: Buffer,
    mode: number,
    major: number,
    minor: number,
  ): Promise<undefined | SystemErrorCode>;
  /** A new name `name` in `dirfd` for the object `fd` holds (O_PATH is fine), without building a path
   * of the object ('ENOENT' when it has no name left). */
  link(fd: number, dirfd: number, name: Buffer): Promise<undefined | SystemErrorCode>;
  /** renameat(fromDir, fromName, toDir, toName). */
  rename(
    fromDir: number,
    fromName: Buffer,
    toDir: number,
    toName: Buffer,
  ): Promise<undefined | SystemErrorCode>;
  /** unlinkat(dirfd, name, directory ? AT_REMOVEDIR : 0). */
  unlink(dirfd: number, name: Buffer, directory: boolean): Promise<undefined | SystemErrorCode>;
  /** utimensat with nanoseconds; `flags` 0 or AT_SYMLINK_NOFOLLOW (then `name` must not be empty). */
  utimens(
    dirfd: number,
    name: Buffer,
    atime: NativeTime,
    mtime: NativeTime,
    flags: number,
  ): Promise<undefined | SystemErrorCode>;
  /** chown of the object `fd` holds (O_PATH is fine); -1 leaves an id unchanged. */
  chown(fd: number, uid: number, gid: number): Promise<undefined | SystemErrorCode>;
  /** chmod of the object `fd` holds (O_PATH is fine; never a symlink). */
  chmod(fd: number, mode: number): Promise<undefined | SystemErrorCode>;
  /** truncate of the regular file `fd` holds (O_PATH is fine). */
  truncate(fd: number, size: bigint): Promise<undefined | SystemErrorCode>;
  /** readlinkat; an empty name reads the symlink an O_PATH descriptor `dirfd` holds. */
  readlink(dirfd: number, name: Buffer): Promise<Buffer | SystemErrorCode>;
  /** statfs of the filesystem `fd` is on. */
  statfs(fd: number): Promise<FsStats | SystemErrorCode>;
  /**
   * Up to `max` names of the directory `dirfd` holds (O_PATH is fine), starting after the `position`
   * an earlier call returned (0 at first), without '.' and '..', in the order the filesystem gives
   * them. With `withStats`, each name's lstat too (an errno name where that failed, e.g. removed
   * meanwhile). A listing is read in several calls so no single completion holds the event loop long.
   */
  readDir(
    dirfd: number,
    position: DirPosition,
    max: number,
    withStats: boolean,
  ): Promise<DirChunk | SystemErrorCode>;
  /** lstat of each of `names` in `dirfd` (one round trip for many names: a page of READDIRPLUS), in the
   * same order; an errno name where that failed. Names must be valid single components. No kernel file
   * handles: an object without a birth time needs `stat` for its identity. */
  statNames(
    dirfd: number,
    names: readonly Buffer[],
  ): Promise<(NativeStat | SystemErrorCode)[] | SystemErrorCode>;
  /** Ends a listing early (releases what readDir keeps between calls for `position`). */
  closeDir(position: DirPosition): void;
  /** open_by_handle_at (needs CAP_DAC_READ_SEARCH; 'EPERM' without it). `mountFd` may be O_PATH. */
  openByHandle(mountFd: number, handle: Buffer, flags: number): Promise<number | SystemErrorCode>;
}

export interface StatWithHandle {
  readonly st: NativeStat;
  readonly handle?: Buffer;
}

export interface Opened extends StatWithHandle {
  readonly fd: number;
}

export interface FsStats {
  readonly type: number;
  readonly bsize: bigint;
  readonly blocks: bigint;
  readonly bfree: bigint;
  readonly bavail: bigint;
  readonly files: bigint;
  readonly ffree: bigint;
}

/** Where a listing stands between readDir calls: opaque to the caller, 0 to start. */
export type DirPosition = number;

export interface DirChunk {
  readonly names: Buffer[];
  /** With withStats: one per name, in the same order. */
  readonly stats?: (NativeStat | SystemErrorCode)[];
  /** Where the next call continues; `done` when the listing is complete (position then released). */
  readonly next: DirPosition;
  readonly done: boolean;
}

export interface FsOpsStatus {
  readonly kind: FsOps['kind'];
  /** Why this implementation, for the start-up log line. */
  readonly reason: string;
}

let chosen: { readonly ops: FsOps; readonly status: FsOpsStatus } | undefined;

/** The process's FsOps: the addon's when it loads (and NFSGATE_NO_NATIVE is not '1'), else the portable
 * one. Chosen once. */
export function fsOps(): FsOps {
  return choose().ops;
}

export function fsOpsStatus(): FsOpsStatus {
  return choose().status;
}

function choose(): { readonly ops: FsOps; readonly status: FsOpsStatus } {
  if (chosen !== undefined) return chosen;
  const native = nativeStatus();
  const addon = asyncFsAt(nativeModule());
  if (native.available && addon !== undefined)
    chosen = { ops: nativeOps(addon), status: { kind: 'native', reason: `native addon ${native.path}` } };
  else {
    const reason = native.available ? `${native.path} has no asynchronous calls (rebuild it)` : native.reason;
    chosen = { ops: portableOps(), status: { kind: 'portable', reason } };
  }
  return chosen;
}
