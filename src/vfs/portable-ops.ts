import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { DirChunk, DirPosition, FsOps, FsStats, Opened, StatWithHandle } from './fs-ops.js';
import type { NativeStat, NativeTime, SystemErrorCode } from './native.js';
import { refusedFd, refusedName, refusedNewName, refusedTarget } from './op-args.js';
import { O_NOFOLLOW, O_PATH, procPath } from './proc-path.js';

/**
 * FsOps on node:fs, whose asynchronous calls run on the libuv thread pool. A name is reached as
 * /proc/self/fd/<dirfd>/<name>: the kernel follows the magic link to exactly the directory the
 * descriptor holds, then resolves the one component. Slower than the addon: a magic-link walk per call,
 * and node:fs does not report the mount id, so a stat is an open, an fstat and a read of
 * /proc/self/fdinfo (readDir stats need only an lstat for the entries no filesystem is mounted on).
 * readDir reads through an fs.Dir of its own, 1024 entries per pool job. Short of the addon where
 * node:fs has no call:
 * - utimens goes through utimes/lutimes, which take a double of seconds that libuv cuts to whole
 *   microseconds: the last three digits of the nanoseconds are lost (set to 0); 'now' is Date.now()
 *   (milliseconds); 'omit' reads the current time first (a change between the two calls is lost);
 *   times before 1970 are refused ('EINVAL'), as node:fs would silently turn them into the present.
 * - mknod runs the system `mknod` command (a FIFO or device) or a node child that binds a socket,
 *   in a child whose working directory is the descriptor's directory.
 * - link and an empty-name readlink go through the path the kernel shows for the descriptor, then check
 *   the object found there is the descriptor's (dev and ino): an object whose first name was removed
 *   cannot be reached even when it has another name ('ENOENT').
 * - no kernel file handles: `handle` is never set, openByHandle answers 'ENOTSUP'.
 */
export function portableOps(): FsOps {
  return new PortableOps();
}

const AT_SYMLINK_NOFOLLOW = 0x100;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;
const BIGINT = { bigint: true } as const;
const AS_BUFFER = { encoding: 'buffer' } as const;
const DELETED = Buffer.from(' (deleted)');
/** How many lstats of one readDir chunk are in flight at once: enough to keep the pool busy. */
const STATS_IN_FLIGHT = 32;

const openFd = promisify(fs.open);
const fstatBig = (fd: number) => promisify(fs.fstat)(fd, BIGINT) as Promise<fs.BigIntStats>;
const ftruncate = promisify(fs.ftruncate);
const run = promisify(execFile);

/** A directory being listed: its own stream (node:fs opens it for reading), and the entry read ahead
 * to learn whether the last chunk was the end. */
interface Listing {
  readonly dir: fs.Dir;
  peeked?: Buffer;
}

/** Names as bytes; each pool job reads up to 1024 entries (libuv skips '.' and '..'). */
const DIR_OPTIONS = { encoding: 'buffer', bufferSize: 1024 } as unknown as fs.OpenDirOptions;

class PortableOps implements FsOps {
  readonly kind = 'portable';
  /** Listings handed out in chunks, by the position their next chunk starts at. */
  private readonly listings = new Map<DirPosition, Listing>();
  private lastPosition = 0;

  async statNames(
    dirfd: number,
    names: readonly Buffer[],
  ): Promise<(NativeStat | SystemErrorCode)[] | SystemErrorCode> {
    if (dirfd < 0) return 'EBADF';
    return Promise.all(
      names.map(async (name) => {
        const got = await this.stat(dirfd, name);
        return typeof got === 'string' ? got : got.st;
      }),
    );
  }

  async stat(dirfd: number, name: Buffer): Promise<StatWithHandle | SystemErrorCode> {
    const refused = refusedName(dirfd, name);
    if (refused !== undefined) return refused;
    const st = name.length === 0 ? await statOfFd(dirfd) : await statOfName(dirfd, name);
    return typeof st === 'string' ? st : { st };
  }

  async open(dirfd: number, name: Buffer, flags: number, mode: number): Promise<Opened | SystemErrorCode> {
    const refused = refusedName(dirfd, name);
    if (refused !== undefined) return refused;
    // A name is never followed; the empty name is the descriptor's magic link, which must be.
    const path = name.length === 0 ? procPath(dirfd) : procPath(dirfd, name);
    const how = name.length === 0 ? flags & ~O_NOFOLLOW : flags | O_NOFOLLOW;
    const fd = await attempt(() => openFd(path, how, mode));
    if (typeof fd === 'string') return fd;
    const st = await statOfFd(fd);
    if (typeof st === 'string') {
      closeLater(fd);
      return st;
    }
    return { fd, st };
  }

  async mkdir(dirfd: number, name: Buffer, mode: number): Promise<undefined | SystemErrorCode> {
    const refused = refusedNewName(dirfd, name);
    if (refused !== undefined) return refused;
    return effect(() => fs.promises.mkdir(procPath(dirfd, name), { mode }));
  }

  async symlink(target: Buffer, dirfd: number, name: Buffer): Promise<undefined | SystemErrorCode> {
    const refused = refusedNewName(dirfd, name) ?? refusedTarget(target);
    if (refused !== undefined) return refused;
    return effect(() => fs.promises.symlink(target, procPath(dirfd, name)));
  }

  async mknod(
    dirfd: number,
    name: Buffer,
    mode: number,
    major: number,
    minor: number,
  ): Promise<undefined | SystemErrorCode> {
    const refused = refusedNewName(dirfd, name);
    if (refused !== undefined) return refused;
    const type = mode & S_IFMT;
    if (![S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK].includes(type)) return 'EINVAL';
    if (!Number.isInteger(major) || !Number.isInteger(minor) || major < 0 || minor < 0) return 'EINVAL';
    return makeNode(dirfd, name, type, mode & 0o7777 & ~process.umask(), major, minor);
  }

  async link(fd: number, dirfd: number, name: Buffer): Promise<undefined | SystemErrorCode> {
    const refused = refusedNewName(dirfd, name) ?? refusedFd(fd);
    if (refused !== undefined) return refused;
    const where = await pathOf(fd);
    if (where === undefined) return 'ENOENT';
    const created = procPath(dirfd, name);
    const linked = await effect(() => fs.promises.link(where, created));
    if (linked !== undefined) return linked;
    // The path may have named another object by the time it was linked: only the same one may stay.
    const [held, made] = await Promise.all([
      attempt(() => fstatBig(fd)),
      attempt(() => fs.promises.lstat(created, BIGINT)),
    ]);
    if (typeof held !== 'string' && typeof made !== 'string' && sameObject(held, made)) return undefined;
    await attempt(() => fs.promises.unlink(created));
    return 'ENOENT';
  }

  async rename(
    fromDir: number,
    fromName: Buffer,
    toDir: number,
    toName: Buffer,
  ): Promise<undefined | SystemErrorCode> {
    const refused = refusedNewName(fromDir, fromName) ?? refusedNewName(toDir, toName);
    if (refused !== undefined) return refused;
    return effect(() => fs.promises.rename(procPath(fromDir, fromName), procPath(toDir, toName)));
  }

  async unlink(dirfd: number, name: Buffer, directory: boolean): Promise<undefined | SystemErrorCode> {
    const refused = refusedNewName(dirfd, name);
    if (refused !== undefined) return refused;
    const path = procPath(dirfd, name);
    return effect(() => (directory ? fs.promises.rmdir(path) : fs.promises.unlink(path)));
  }

  async utimens(
    dirfd: number,
    name: Buffer,
    atime: NativeTime,
    mtime: NativeTime,
    flags: number,
  ): Promise<undefined | SystemErrorCode> {
    const refused = refusedName(dirfd, name);
    if (refused !== undefined) return refused;
    const nofollow = (flags & AT_SYMLINK_NOFOLLOW) !== 0;
    if ((flags & ~AT_SYMLINK_NOFOLLOW) !== 0 || (nofollow && name.length === 0)) return 'EINVAL';
    if ((typeof atime === 'bigint' && atime < 0n) || (typeof mtime === 'bigint' && mtime < 0n))
      return 'EINVAL';
    const path = name.length === 0 ? procPath(dirfd) : procPath(dirfd, name);
    return effect(async () => {
      let current: fs.BigIntStats | undefined;
      if (atime === 'omit' || mtime === 'omit')
        current = nofollow ? await fs.promises.lstat(path, BIGINT) : await fs.promises.stat(path, BIGINT);
      const a = seconds(atime, current?.atimeNs);
      const m = seconds(mtime, current?.mtimeNs);
      await (nofollow ? fs.promises.lutimes(path, a, m) : fs.promises.utimes(path, a, m));
    });
  }

  async chown(fd: number, uid: number, gid: number): Promise<undefined | SystemErrorCode> {
    const refused = refusedFd(fd);
    if (refused !== undefined) return refused;
    // The magic link leads to the object itself, a symlink included, and is not followed further.
    return effect(() => fs.promises.chown(procPath(fd), uid, gid));
  }

  async chmod(fd: number, mode: number): Promise<undefined | SystemErrorCode> {
    const refused = refusedFd(fd);
    if (refused !== undefined) return refused;
    return effect(() => fs.promises.chmod(procPath(fd), mode));
  }

  async truncate(fd: number, size: bigint): Promise<undefined | SystemErrorCode> {
    const refused = refusedFd(fd);
    if (refused !== undefined) return refused;
    if (size < 0n) return 'EINVAL';
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) return 'EFBIG';
    // node:fs truncates through a descriptor open for writing: refuse first what truncate(2) refuses,
    // so that a device or FIFO is never opened.
    const st = await attempt(() => fstatBig(fd));
    if (typeof st === 'string') return st;
    const type = Number(st.mode) & S_IFMT;
    if (type === S_IFDIR) return 'EISDIR';
    if (type !== S_IFREG) return 'EINVAL';
    const writable = await attempt(() => openFd(procPath(fd), fs.constants.O_WRONLY));
    if (typeof writable === 'string') return writable;
    try {
      return await effect(() => ftruncate(writable, Number(size)));
    } finally {
      closeLater(writable);
    }
  }

  async readlink(dirfd: number, name: Buffer): Promise<Buffer | SystemErrorCode> {
    const refused = refusedName(dirfd, name);
    if (refused !== undefined) return refused;
    if (name.length > 0) return attempt(() => fs.promises.readlink(procPath(dirfd, name), AS_BUFFER));
    // readlink of the magic link would answer its path, not the symlink's target: read the symlink
    // under the path the kernel shows for it, and only if that path still leads to it.
    const held = await attempt(() => fstatBig(dirfd));
    if (typeof held === 'string') return held;
    if ((Number(held.mode) & S_IFMT) !== S_IFLNK) return 'EINVAL';
    const where = await pathOf(dirfd);
    if (where === undefined || !(await holds(where, held))) return 'ENOENT';
    const target = await attempt(() => fs.promises.readlink(where, AS_BUFFER));
    if (typeof target === 'string') return target;
    return (await holds(where, held)) ? target : 'ENOENT';
  }

  async statfs(fd: number): Promise<FsStats | SystemErrorCode> {
    const refused = refusedFd(fd);
    if (refused !== undefined) return refused;
    return attempt(async () => {
      const st = await fs.promises.statfs(procPath(fd), BIGINT);
      return {
        type: Number(st.type),
        bsize: st.bsize,
        blocks: st.blocks,
        bfree: st.bfree,
        bavail: st.bavail,
        files: st.files,
        ffree: st.ffree,
      };
    });
  }

  async readDir(
    dirfd: number,
    position: DirPosition,
    max: number,
    withStats: boolean,
  ): Promise<DirChunk | SystemErrorCode> {
    const refused = refusedFd(dirfd);
    if (refused !== undefined) return refused;
    if (!Number.isInteger(max) || max < 1) return 'EINVAL';
    let listing: Listing | undefined;
    if (position === 0) {
      const dir = await attempt(() => fs.promises.opendir(procPath(dirfd), DIR_OPTIONS));
      if (typeof dir === 'string') return dir;
      listing = { dir };
    } else {
      listing = this.listings.get(position);
      if (listing === undefined) return 'EINVAL';
      // A position is used once: the chunk read from it gets a new one.
      this.listings.delete(position);
    }
    const names = await attempt(() => readNames(listing, max));
    if (typeof names === 'string') {
      closeListing(listing);
      return names;
    }
    const done = listing.peeked === undefined;
    let next = 0;
    if (done) closeListing(listing);
    else {
      next = ++this.lastPosition;
      this.listings.set(next, listing);
    }
    if (!withStats) return { names, next, done };
    const stats = await entryStats(dirfd, names);
    return { names, stats, next, done };
  }

  closeDir(position: DirPosition): void {
    const listing = this.listings.get(position);
    if (listing === undefined) return;
    this.listings.delete(position);
    closeListing(listing);
  }

  async openByHandle(): Promise<number | SystemErrorCode> {
    return 'ENOTSUP';
  }
}

/** The result of a node:fs call, or the errno name it failed with. Anything else is a bug: rethrown. */
async function attempt<T>(call: () => Promise<T>): Promise<T | SystemErrorCode> {
  try {
    return await call();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (
      err instanceof Error &&
      typeof code === 'string' &&
      typeof (err as NodeJS.ErrnoException).errno === 'number'
    )
      return code;
    throw err;
  }
}

/** Up to `max` names, and the one after them read ahead into `listing.peeked` (none at the end). */
async function readNames(listing: Listing, max: number): Promise<Buffer[]> {
  const names: Buffer[] = [];
  if (listing.peeked !== undefined) names.push(listing.peeked);
  listing.peeked = undefined;
  for (;;) {
    const entry = await listing.dir.read();
    if (entry === null) return names;
    const name = entry.name as unknown as Buffer;
    if (names.length === max) {
      listing.peeked = name;
      return names;
    }
    names.push(name);
  }
}

function closeListing(listing: Listing): void {
  listing.dir.close().catch(() => {
    // Closed already, or failing to close: nothing is left to release either way.
  });
}

/** attempt() for a call whose only result is success. */
async function effect(call: () => Promise<unknown>): Promise<undefined | SystemErrorCode> {
  return attempt(async () => {
    await call();
    return undefined;
  });
}

function closeLater(fd: number): void {
  fs.close(fd, () => {
    // Nothing to do: the descriptor was ours alone, and a failed close leaves nothing to release.
  });
}

/** fstat of `fd` with the mount id the kernel shows in /proc/self/fdinfo (node:fs does not report it). */
async function statOfFd(fd: number): Promise<NativeStat | SystemErrorCode> {
  const [st, info] = await Promise.all([
    attempt(() => fstatBig(fd)),
    // As bytes: attempt() tells failure from success by a string result.
    attempt(() => fs.promises.readFile(`/proc/self/fdinfo/${fd}`)),
  ]);
  if (typeof st === 'string') return st;
  const mnt = typeof info === 'string' ? undefined : /^mnt_id:\s*(\d+)$/m.exec(info.toString('latin1'))?.[1];
  return nativeStat(st, mnt === undefined ? -1n : BigInt(mnt));
}

/** lstat of `name` in `dirfd`, through an O_PATH descriptor of the entry so its mount id is known too. */
async function statOfName(dirfd: number, name: Buffer): Promise<NativeStat | SystemErrorCode> {
  const fd = await attempt(() => openFd(procPath(dirfd, name), O_PATH | O_NOFOLLOW));
  if (typeof fd === 'string') return fd;
  try {
    return await statOfFd(fd);
  } finally {
    closeLater(fd);
  }
}

/**
 * lstat of each entry of `dirfd`. An entry's mount id is the directory's unless a filesystem is mounted
 * on it, which /proc/self/mountinfo tells by path: so one lstat per entry, and the slower statOfName
 * only for the entries mounted on (or all, when the directory's path cannot be known).
 */
async function entryStats(dirfd: number, names: Buffer[]): Promise<(NativeStat | SystemErrorCode)[]> {
  const mounts = await mountsBelow(dirfd);
  return mapInFlight(names, STATS_IN_FLIGHT, async (name) => {
    if (mounts === undefined || mounts.mountedOn.has(name.toString('latin1'))) return statOfName(dirfd, name);
    const st = await attempt(() => fs.promises.lstat(procPath(dirfd, name), BIGINT));
    if (typeof st === 'string') return st;
    // Another device is another mount, whatever mountinfo said a moment ago.
    return st.dev === mounts.dev ? nativeStat(st, mounts.mntId) : statOfName(dirfd, name);
  });
}

interface MountsBelow {
  /** The directory's own mount id and device. */
  readonly mntId: bigint;
  readonly dev: bigint;
  /** Names in the directory that are mount points, as latin1 strings (one character per byte). */
  readonly mountedOn: ReadonlySet<string>;
}

async function mountsBelow(dirfd: number): Promise<MountsBelow | undefined> {
  const [own, where, table] = await Promise.all([
    statOfFd(dirfd),
    pathOf(dirfd),
    attempt(() => fs.promises.readFile('/proc/self/mountinfo')),
  ]);
  if (typeof own === 'string' || own.mntId < 0n || where === undefined || typeof table === 'string')
    return undefined;
  const dir = where.toString('latin1');
  const mountedOn = new Set<string>();
  for (const line of table.toString('latin1').split('\n')) {
    // The fifth field is the mount point, with space, tab, newline and backslash as octal escapes.
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    const point = field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    const slash = point.lastIndexOf('/');
    if (slash >= 0 && (slash === 0 ? '/' : point.slice(0, slash)) === dir)
      mountedOn.add(point.slice(slash + 1));
  }
  return { mntId: own.mntId, dev: own.dev, mountedOn };
}

function nativeStat(st: fs.BigIntStats, mntId: bigint): NativeStat {
  return {
    dev: st.dev,
    ino: st.ino,
    mode: st.mode,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    rdev: st.rdev,
    size: st.size,
    blocks: st.blocks,
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
    birthtimeNs: st.birthtimeNs,
    mntId,
  };
}

function sameObject(a: fs.BigIntStats, b: fs.BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The absolute path the kernel shows for what `fd` holds, undefined when it has none (removed, or not
 * reachable from this process's root). */
async function pathOf(fd: number): Promise<Buffer | undefined> {
  const where = await attempt(() => fs.promises.readlink(procPath(fd), AS_BUFFER));
  if (typeof where === 'string' || where[0] !== 0x2f) return undefined;
  if (where.length >= DELETED.length && where.subarray(where.length - DELETED.length).equals(DELETED))
    return undefined;
  return where;
}

/** Whether `path` (not followed) is the object `held` describes. */
async function holds(path: Buffer, held: fs.BigIntStats): Promise<boolean> {
  const st = await attempt(() => fs.promises.lstat(path, BIGINT));
  return typeof st !== 'string' && sameObject(st, held);
}

/**
 * A node:fs time argument: seconds as a double, which libuv turns back into nanoseconds and cuts to whole
 * microseconds. A double near the present is off by up to about 0.12 us, which could land the cut one
 * microsecond low: aiming at the middle of the microsecond keeps exactly the microseconds asked for.
 */
function seconds(time: NativeTime, current: bigint | undefined): number {
  if (time === 'now') return Date.now() / 1000;
  const ns = time === 'omit' ? (current ?? 0n) : time;
  const micros = ns / 1000n;
  return Number(micros / 1_000_000n) + (Number(micros % 1_000_000n) + 0.5) / 1e6;
}

async function mapInFlight<T, R>(
  items: readonly T[],
  limit: number,
  each: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length) {
      const i = nextIndex++;
      out[i] = await each(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * mknod without mknodat: a child process makes the node in its working directory, the descriptor's
 * directory reached through this process's /proc entry (the child's /proc/self is its own). Its
 * arguments are strings, so a name that is not UTF-8, or too long for a socket address, is made under
 * a temporary name and linked to its own (which also refuses an existing name), the temporary removed.
 */
async function makeNode(
  dirfd: number,
  name: Buffer,
  type: number,
  perm: number,
  major: number,
  minor: number,
): Promise<undefined | SystemErrorCode> {
  const text = name.toString('utf8');
  const direct = Buffer.from(text, 'utf8').equals(name) && (type !== S_IFSOCK || name.length <= 100);
  const made = direct ? text : `.nfsgate-mknod-${randomBytes(8).toString('hex')}`;
  const failed = await runMaker(dirfd, `./${made}`, type, perm, major, minor);
  if (failed !== undefined) return failed;
  const madePath = procPath(dirfd, Buffer.from(made));
  // Sockets are made with the umask's mode, and `mknod -m` takes permission bits only.
  if (type === S_IFSOCK || (perm & 0o7000) !== 0) {
    const changed = await effect(() => fs.promises.chmod(madePath, perm));
    if (changed !== undefined) {
      await attempt(() => fs.promises.unlink(madePath));
      return changed;
    }
  }
  if (direct) return undefined;
  const linked = await effect(() => fs.promises.link(madePath, procPath(dirfd, name)));
  await attempt(() => fs.promises.unlink(madePath));
  return linked;
}

/** A socket is bound by a node child, which exits without closing it (closing would remove the name). */
const BIND_SOCKET = `require('node:net').createServer().on('error', (e) => { process.stderr.write(e.code); process.exit(1); }).listen(process.argv[1], () => process.exit(0));`;

async function runMaker(
  dirfd: number,
  path: string,
  type: number,
  perm: number,
  major: number,
  minor: number,
): Promise<undefined | SystemErrorCode> {
  const options = { cwd: `/proc/${process.pid}/fd/${dirfd}`, env: { ...process.env, LC_ALL: 'C' } };
  try {
    if (type === S_IFSOCK) await run(process.execPath, ['-e', BIND_SOCKET, path], options);
    else {
      const kind = type === S_IFIFO ? ['p'] : [type === S_IFCHR ? 'c' : 'b', String(major), String(minor)];
      await run('mknod', ['-m', (perm & 0o777).toString(8), path, ...kind], options);
    }
    return undefined;
  } catch (err) {
    const failure = err as NodeJS.ErrnoException & { stderr?: string };
    // The working directory could not be entered: the descriptor's directory is gone or not one.
    if (failure.code === 'ENOENT' || failure.code === 'ENOTDIR' || failure.code === 'EACCES')
      return failure.code;
    return errnoOfMessage(failure.stderr ?? '');
  }
}

/** The errno a child reported: the bind child writes its name, `mknod` the C library's message. */
function errnoOfMessage(stderr: string): SystemErrorCode {
  if (/^E[A-Z]+$/.test(stderr.trim())) return stderr.trim() === 'EADDRINUSE' ? 'EEXIST' : stderr.trim();
  for (const [message, code] of MESSAGES) if (stderr.includes(message)) return code;
  return 'EIO';
}

const MESSAGES: readonly (readonly [string, SystemErrorCode])[] = [
  ['File exists', 'EEXIST'],
  ['Operation not permitted', 'EPERM'],
  ['Permission denied', 'EACCES'],
  ['No such file or directory', 'ENOENT'],
  ['Not a directory', 'ENOTDIR'],
  ['No space left on device', 'ENOSPC'],
  ['Disk quota exceeded', 'EDQUOT'],
  ['Read-only file system', 'EROFS'],
  ['Invalid argument', 'EINVAL'],
  ['File name too long', 'ENAMETOOLONG'],
  ['Too many links', 'EMLINK'],
];
