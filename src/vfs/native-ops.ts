import type { DirChunk, DirPosition, FsOps, FsStats, Opened, StatWithHandle } from './fs-ops.js';
import type { NativeStat, NativeTime, SystemErrorCode } from './native.js';

/** A directory being listed, as the addon hands it out: opaque, owned by the addon (closed when
 * collected, or earlier by closeDirAsync). */
interface DirStream {
  readonly __dirStream: never;
}

/** One readDirAsync chunk: name i is names[ends[i] .. ends[i + 1] - 1) (a NUL follows each name);
 * stats holds 14 values per name, except where `failed` lists [index, errno name] pairs. */
interface RawChunk {
  readonly stream?: DirStream;
  readonly names: Buffer;
  readonly ends: Uint32Array;
  readonly stats?: BigInt64Array;
  readonly failed?: (number | SystemErrorCode)[];
  readonly done: boolean;
}

/** The addon's asynchronous functions (native/ops.c): each runs on the libuv thread pool and resolves
 * with its result or the errno name; none rejects for a system error. */
export interface AsyncFsAt {
  /** lstat of `count` NUL-terminated names in `names`, relative to `dirfd`, as a chunk with stats. */
  statNamesAsync(dirfd: number, names: Buffer, count: number): Promise<RawChunk | SystemErrorCode>;
  /** Stat values into out[0..13]; resolves with the kernel file handle when there is no birth time. */
  statAsync(dirfd: number, name: Buffer, out: BigInt64Array): Promise<Buffer | undefined | SystemErrorCode>;
  /** As statAsync for the new descriptor, which goes into out[14]. */
  openAsync(
    dirfd: number,
    name: Buffer,
    flags: number,
    mode: number,
    out: BigInt64Array,
  ): Promise<Buffer | undefined | SystemErrorCode>;
  mkdirAsync(dirfd: number, name: Buffer, mode: number): Promise<undefined | SystemErrorCode>;
  symlinkAsync(target: Buffer, dirfd: number, name: Buffer): Promise<undefined | SystemErrorCode>;
  mknodAsync(
    dirfd: number,
    name: Buffer,
    mode: number,
    major: number,
    minor: number,
  ): Promise<undefined | SystemErrorCode>;
  linkAsync(fd: number, dirfd: number, name: Buffer): Promise<undefined | SystemErrorCode>;
  renameAsync(
    fromDir: number,
    fromName: Buffer,
    toDir: number,
    toName: Buffer,
  ): Promise<undefined | SystemErrorCode>;
  unlinkAsync(dirfd: number, name: Buffer, directory: boolean): Promise<undefined | SystemErrorCode>;
  utimensAsync(
    dirfd: number,
    name: Buffer,
    atime: NativeTime,
    mtime: NativeTime,
    flags: number,
  ): Promise<undefined | SystemErrorCode>;
  chownAsync(fd: number, uid: number, gid: number): Promise<undefined | SystemErrorCode>;
  chmodAsync(fd: number, mode: number): Promise<undefined | SystemErrorCode>;
  truncateAsync(fd: number, size: bigint): Promise<undefined | SystemErrorCode>;
  readlinkAsync(dirfd: number, name: Buffer): Promise<Buffer | SystemErrorCode>;
  statfsAsync(fd: number): Promise<FsStats | SystemErrorCode>;
  readDirAsync(
    dirfd: number,
    stream: DirStream | undefined,
    max: number,
    withStats: boolean,
  ): Promise<RawChunk | SystemErrorCode>;
  closeDirAsync(stream: DirStream): Promise<undefined | SystemErrorCode>;
  openByHandleAsync(mountFd: number, handle: Buffer, flags: number): Promise<number | SystemErrorCode>;
}

const FUNCTIONS = [
  'statAsync',
  'openAsync',
  'mkdirAsync',
  'symlinkAsync',
  'mknodAsync',
  'linkAsync',
  'renameAsync',
  'unlinkAsync',
  'utimensAsync',
  'chownAsync',
  'chmodAsync',
  'truncateAsync',
  'readlinkAsync',
  'statfsAsync',
  'readDirAsync',
  'closeDirAsync',
  'openByHandleAsync',
  'statNamesAsync',
] as const satisfies readonly (keyof AsyncFsAt)[];

/** The addon's asynchronous functions, or undefined when `module` (an addon built before them) lacks any. */
export function asyncFsAt(module: object | undefined): AsyncFsAt | undefined {
  if (module === undefined) return undefined;
  const functions = module as Record<string, unknown>;
  return FUNCTIONS.every((name) => typeof functions[name] === 'function') ? (module as AsyncFsAt) : undefined;
}

const STAT_FIELDS = 14;

/** FsOps over the addon: one pool job per call, the kernel's *at calls on descriptors. */
export function nativeOps(addon: AsyncFsAt): FsOps {
  return new NativeOps(addon);
}

class NativeOps implements FsOps {
  readonly kind = 'native';
  /** Listings between readDir calls, by the position their next chunk starts at. */
  private readonly listings = new Map<DirPosition, DirStream>();
  private lastPosition = 0;

  // The addon's calls that need no conversion are FsOps as they are.
  readonly mkdir: FsOps['mkdir'];
  readonly symlink: FsOps['symlink'];
  readonly mknod: FsOps['mknod'];
  readonly link: FsOps['link'];
  readonly rename: FsOps['rename'];
  readonly unlink: FsOps['unlink'];
  readonly utimens: FsOps['utimens'];
  readonly chown: FsOps['chown'];
  readonly chmod: FsOps['chmod'];
  readonly truncate: FsOps['truncate'];
  readonly readlink: FsOps['readlink'];
  readonly statfs: FsOps['statfs'];
  readonly openByHandle: FsOps['openByHandle'];

  constructor(private readonly addon: AsyncFsAt) {
    this.mkdir = addon.mkdirAsync;
    this.symlink = addon.symlinkAsync;
    this.mknod = addon.mknodAsync;
    this.link = addon.linkAsync;
    this.rename = addon.renameAsync;
    this.unlink = addon.unlinkAsync;
    this.utimens = addon.utimensAsync;
    this.chown = addon.chownAsync;
    this.chmod = addon.chmodAsync;
    this.truncate = addon.truncateAsync;
    this.readlink = addon.readlinkAsync;
    this.statfs = addon.statfsAsync;
    this.openByHandle = addon.openByHandleAsync;
  }

  async statNames(
    dirfd: number,
    names: readonly Buffer[],
  ): Promise<(NativeStat | SystemErrorCode)[] | SystemErrorCode> {
    const parts: Buffer[] = [];
    for (const name of names) {
      if (name.includes(0)) return 'EINVAL';
      parts.push(name, NUL);
    }
    const got = await this.addon.statNamesAsync(dirfd, Buffer.concat(parts), names.length);
    if (typeof got === 'string') return got;
    return got.stats === undefined ? [] : statsOf(got, got.stats, names.length);
  }

  async stat(dirfd: number, name: Buffer): Promise<StatWithHandle | SystemErrorCode> {
    const out = new BigInt64Array(STAT_FIELDS);
    const got = await this.addon.statAsync(dirfd, name, out);
    if (typeof got === 'string') return got;
    const st = statAt(out, 0);
    return got === undefined ? { st } : { st, handle: got };
  }

  async open(dirfd: number, name: Buffer, flags: number, mode: number): Promise<Opened | SystemErrorCode> {
    const out = new BigInt64Array(STAT_FIELDS + 1);
    const got = await this.addon.openAsync(dirfd, name, flags, mode, out);
    if (typeof got === 'string') return got;
    const fd = Number(out[STAT_FIELDS]);
    const st = statAt(out, 0);
    return got === undefined ? { fd, st } : { fd, st, handle: got };
  }

  async readDir(
    dirfd: number,
    position: DirPosition,
    max: number,
    withStats: boolean,
  ): Promise<DirChunk | SystemErrorCode> {
    let stream: DirStream | undefined;
    if (position !== 0) {
      stream = this.listings.get(position);
      if (stream === undefined) return 'EINVAL';
      // A position is used once: the chunk read from it gets a new one.
      this.listings.delete(position);
    }
    const got = await this.addon.readDirAsync(dirfd, stream, max, withStats);
    if (typeof got === 'string') {
      if (stream !== undefined) this.release(stream);
      return got;
    }
    stream ??= got.stream;
    let next = 0;
    if (got.done) {
      if (stream !== undefined) this.release(stream);
    } else if (stream !== undefined) {
      next = ++this.lastPosition;
      this.listings.set(next, stream);
    }
    const names = namesOf(got);
    if (got.stats === undefined) return { names, next, done: got.done };
    return { names, stats: statsOf(got, got.stats, names.length), next, done: got.done };
  }

  closeDir(position: DirPosition): void {
    const stream = this.listings.get(position);
    if (stream === undefined) return;
    this.listings.delete(position);
    this.release(stream);
  }

  /** Closes a listing's descriptor on the pool; what closing reports changes nothing for the caller. */
  private release(stream: DirStream): void {
    void this.addon.closeDirAsync(stream);
  }
}

/** Views into the chunk's one Buffer: no copy per name. */
const NUL = Buffer.from([0]);

function namesOf(chunk: RawChunk): Buffer[] {
  const count = chunk.ends.length - 1;
  const names = new Array<Buffer>(count);
  for (let i = 0; i < count; i++)
    names[i] = chunk.names.subarray(chunk.ends[i], (chunk.ends[i + 1] as number) - 1);
  return names;
}

function statsOf(chunk: RawChunk, values: BigInt64Array, count: number): (NativeStat | SystemErrorCode)[] {
  const stats = new Array<NativeStat | SystemErrorCode | undefined>(count);
  const failed = chunk.failed ?? [];
  for (let i = 0; i + 1 < failed.length; i += 2)
    stats[failed[i] as number] = failed[i + 1] as SystemErrorCode;
  for (let i = 0; i < count; i++) stats[i] ??= statAt(values, i * STAT_FIELDS);
  return stats as (NativeStat | SystemErrorCode)[];
}

/** The 14 values native/fsat.h's stat_values writes, from `at` on. */
function statAt(v: BigInt64Array, at: number): NativeStat {
  return {
    dev: v[at] as bigint,
    ino: v[at + 1] as bigint,
    mode: v[at + 2] as bigint,
    nlink: v[at + 3] as bigint,
    uid: v[at + 4] as bigint,
    gid: v[at + 5] as bigint,
    rdev: v[at + 6] as bigint,
    size: v[at + 7] as bigint,
    blocks: v[at + 8] as bigint,
    atimeNs: v[at + 9] as bigint,
    mtimeNs: v[at + 10] as bigint,
    ctimeNs: v[at + 11] as bigint,
    birthtimeNs: v[at + 12] as bigint,
    mntId: v[at + 13] as bigint,
  };
}
