import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The optional native addon (native/fsat.c): openat, statx, name_to_handle_at and open_by_handle_at,
 * which Node lacks. Without it the vfs resolves names through /proc/self/fd/<fd>/<name>, which is correct
 * but costs a magic-link walk per call. Setting NFSGATE_NO_NATIVE=1 forces that fallback.
 */

/** A system error as the addon reports it: the errno name, e.g. 'ENOENT'. */
export type SystemErrorCode = string;

/** statx of one object; every field a bigint, times in nanoseconds, birthtimeNs 0n where unknown. The
 * field names are those of node:fs BigIntStats, so both satisfy the same readers. */
export interface NativeStat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly rdev: bigint;
  readonly size: bigint;
  readonly blocks: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly birthtimeNs: bigint;
  /** The mount the object is reached through (STATX_MNT_ID), -1n where the kernel does not say. Unlike
   * `dev`, it tells a bind mount of the same filesystem apart from the directory it covers. */
  readonly mntId: bigint;
}

/** A time for utimensAt: signed nanoseconds since the epoch, the server's clock ('now', UTIME_NOW), or
 * left as it is ('omit', UTIME_OMIT). */
export type NativeTime = bigint | 'now' | 'omit';

/** A kernel file handle: the whole struct file_handle (handle_bytes, handle_type, opaque bytes). */
export interface KernelHandle {
  readonly handle: Buffer;
  /** The mount it belongs to (as in /proc/self/mountinfo). */
  readonly mountId: number;
}

/**
 * The addon's functions. Each returns its result, or the errno name when the system call failed; a name
 * holding '/' or NUL is refused with 'EINVAL' before any system call, and a negative descriptor with
 * 'EBADF'. Only wrong argument types throw. Descriptors returned are O_CLOEXEC and owned by the caller.
 */
export interface FsAt {
  /** statx(dirfd, name, AT_STATX_SYNC_AS_STAT [| AT_SYMLINK_NOFOLLOW]); an empty name stats `dirfd`. */
  statxAt(dirfd: number, name: Buffer, nofollow: boolean): NativeStat | SystemErrorCode;
  openAt(dirfd: number, name: Buffer, flags: number, mode: number): number | SystemErrorCode;
  nameToHandleAt(dirfd: number, name: Buffer, flags: number): KernelHandle | SystemErrorCode;
  /** Needs CAP_DAC_READ_SEARCH ('EPERM' without it). `mountFd` is any descriptor on the same filesystem
   * but not an O_PATH one, which the kernel refuses ('EBADF'). */
  openByHandleAt(mountFd: number, handle: Buffer, flags: number): number | SystemErrorCode;
  /** A new name `newName` in `newDirFd` for the object `fd` holds (O_PATH is fine), through
   * linkat(AT_FDCWD, "/proc/self/fd/<fd>", ..., AT_SYMLINK_FOLLOW): no path of the object is built. */
  linkFdAt(fd: number, newDirFd: number, newName: Buffer): undefined | SystemErrorCode;
  /** readlinkat(dirfd, name); an empty name reads the symlink an O_PATH descriptor `dirfd` holds. */
  readlinkAt(dirfd: number, name: Buffer): Buffer | SystemErrorCode;
  /** mknodat(dirfd, name, mode, makedev(major, minor)) for FIFOs, sockets and devices (umask applies). */
  mknodAt(
    dirfd: number,
    name: Buffer,
    mode: number,
    major: number,
    minor: number,
  ): undefined | SystemErrorCode;
  /** utimensat(2) with nanoseconds. `flags` is 0 or AT_SYMLINK_NOFOLLOW; an empty name changes the object
   * `dirfd` holds (an O_PATH descriptor is fine; AT_SYMLINK_NOFOLLOW is then 'EINVAL'). */
  utimensAt(
    dirfd: number,
    name: Buffer,
    atime: NativeTime,
    mtime: NativeTime,
    flags: number,
  ): undefined | SystemErrorCode;
  readonly constants: {
    readonly O_PATH: number;
    readonly AT_EMPTY_PATH: number;
    readonly AT_SYMLINK_FOLLOW: number;
    readonly MAX_HANDLE_SZ: number;
    readonly AT_SYMLINK_NOFOLLOW: number;
  };
}

/** The addon as built: statxAt fills an array (see native/fsat.c) that FsAt.statxAt turns into fields. */
interface RawFsAt extends Omit<FsAt, 'statxAt'> {
  statxAt(dirfd: number, name: Buffer, nofollow: boolean, out: BigInt64Array): undefined | SystemErrorCode;
}

export type NativeStatus =
  | { readonly available: true; readonly path: string }
  | { readonly available: false; readonly reason: string };

const ADDON = join('native', 'build', 'Release', 'fsat.node');

interface Loaded {
  readonly status: NativeStatus;
  readonly addon?: FsAt;
  /** The module as the addon exports it, for native-ops.ts, which uses its asynchronous functions. */
  readonly module?: object;
}

let status: NativeStatus | undefined;
let addon: FsAt | undefined;
let loaded: Loaded | undefined;

function loadAddon(): Loaded {
  if (loaded) return loaded;
  const path = findAddon();
  if (path === undefined) loaded = { status: { available: false, reason: `${ADDON} not built` } };
  else {
    try {
      const raw = createRequire(import.meta.url)(path) as RawFsAt;
      loaded = { status: { available: true, path }, addon: withStatFields(raw), module: raw };
    } catch (err) {
      // Built for another Node ABI or architecture.
      loaded = { status: { available: false, reason: `${path} failed to load: ${(err as Error).message}` } };
    }
  }
  return loaded;
}

function load(): NativeStatus {
  if (process.env.NFSGATE_NO_NATIVE === '1')
    return { available: false, reason: 'disabled by NFSGATE_NO_NATIVE' };
  const got = loadAddon();
  addon = got.addon;
  return got.status;
}

function withStatFields(raw: RawFsAt): FsAt {
  // Reused for every call: statxAt is synchronous and its values are copied out before it returns.
  const values = new BigInt64Array(14);
  return {
    openAt: raw.openAt,
    nameToHandleAt: raw.nameToHandleAt,
    openByHandleAt: raw.openByHandleAt,
    linkFdAt: raw.linkFdAt,
    utimensAt: raw.utimensAt,
    readlinkAt: raw.readlinkAt,
    mknodAt: raw.mknodAt,
    constants: raw.constants,
    statxAt(dirfd, name, nofollow) {
      const failed = raw.statxAt(dirfd, name, nofollow, values);
      if (failed !== undefined) return failed;
      return {
        dev: values[0],
        ino: values[1],
        mode: values[2],
        nlink: values[3],
        uid: values[4],
        gid: values[5],
        rdev: values[6],
        size: values[7],
        blocks: values[8],
        atimeNs: values[9],
        mtimeNs: values[10],
        ctimeNs: values[11],
        birthtimeNs: values[12],
        mntId: values[13],
      };
    },
  };
}

/** The addon in the repository this module belongs to, found by walking up to package.json. */
function findAddon(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const path = join(dir, ADDON);
      return existsSync(path) ? path : undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Whether the addon is in use, and if not, why (for the server's start-up log line). */
export function nativeStatus(): NativeStatus {
  status ??= load();
  return status;
}

export function nativeAvailable(): boolean {
  return nativeStatus().available;
}

/** The addon, or undefined when the /proc/self/fd fallback is in force. */
export function nativeFsAt(): FsAt | undefined {
  nativeStatus();
  return addon;
}

/** The addon's module as loaded (its asynchronous functions included), or undefined when it is not in
 * use (not built, not loadable, or NFSGATE_NO_NATIVE=1). */
export function nativeModule(): object | undefined {
  return nativeStatus().available ? loadAddon().module : undefined;
}

/**
 * The addon for the system calls Node lacks and nfsgate cannot do without (nanosecond utimensat,
 * mknodat, linkat, readlinkat). NFSGATE_NO_NATIVE does not turn these off: it only disables the optional
 * statx/openat fast paths and kernel file handles. The build makes the addon; a process without it
 * cannot serve correctly, so this throws (a bug in the installation, reported at start).
 */
export function requiredFsAt(): FsAt {
  const got = loadAddon();
  if (got.addon === undefined) {
    const reason = got.status.available ? 'unknown' : got.status.reason;
    throw new Error(`the native addon is required (npm run build makes it): ${reason}`);
  }
  return got.addon;
}

/** The error node:fs would have thrown for `code`, so addon failures share the vfs's errno mapping and
 * its reporting of unexpected codes. */
export function systemError(code: SystemErrorCode, syscall: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${syscall} failed`);
  err.code = code;
  err.errno = -((os.constants.errno as Record<string, number>)[code] ?? 0);
  err.syscall = syscall;
  return err;
}
