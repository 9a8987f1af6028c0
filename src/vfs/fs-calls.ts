import type { StatLike } from './attrs.js';
import { fileTypeOf } from './attrs.js';
import { relieveDescriptors } from './descriptors.js';
import { toErrno } from './errors.js';
import { fsOps, type Opened, type StatWithHandle } from './fs-ops.js';
import { type NativeStat, type SystemErrorCode, systemError } from './native.js';
import { closeQuietly, O_NOFOLLOW, O_PATH } from './proc-path.js';
import { identityFromStat } from './reuse-tag.js';
import { type Errno, type FsResult, fail, type Identity, ok, type VNode } from './types.js';

/**
 * The vfs's view of FsOps: results as FsResult with the vfs's errno mapping, identities computed,
 * descriptors turned into VNodes. Every function here awaits the thread pool; none blocks the loop.
 */

export const EMPTY_NAME = Buffer.alloc(0);

/** A stat with the identity it gives. */
export interface Seen {
  readonly st: NativeStat;
  readonly ident: Identity;
}

export function errnoOf(code: SystemErrorCode, syscall: string): Errno {
  return toErrno(systemError(code, syscall));
}

/** A call that returns nothing but may fail. */
export async function done(
  p: Promise<undefined | SystemErrorCode>,
  syscall: string,
): Promise<FsResult<void>> {
  const failed = await p;
  return failed === undefined ? ok(undefined) : fail(errnoOf(failed, syscall));
}

/** statfs f_type of the filesystem `fd` is on. */
export async function fsTypeOfFd(fd: number): Promise<number | undefined> {
  const st = await fsOps().statfs(fd);
  return typeof st === 'string' ? undefined : st.type;
}

async function fsTypeOfChild(dirFd: number, name: Buffer): Promise<number | undefined> {
  const opened = await fsOps().open(dirFd, name, O_PATH | O_NOFOLLOW, 0);
  if (typeof opened === 'string') return undefined;
  try {
    return await fsTypeOfFd(opened.fd);
  } finally {
    closeQuietly(opened.fd);
  }
}

/** statx of the object `fd` holds, with its identity. */
export async function statFd(fd: number): Promise<FsResult<Seen>> {
  const got = await fsOps().stat(fd, EMPTY_NAME);
  if (typeof got === 'string') return fail(errnoOf(got, 'statx'));
  return ok({ st: got.st, ident: await identityFromStat(got.st, got.handle, () => fsTypeOfFd(fd)) });
}

/** lstat of the entry `name` of `dirFd`, with its identity. */
export async function statChild(dirFd: number, name: Buffer): Promise<FsResult<Seen>> {
  const got = await fsOps().stat(dirFd, name);
  if (typeof got === 'string') return fail(errnoOf(got, 'statx'));
  return ok({ st: got.st, ident: await identityOfEntry(dirFd, name, got) });
}

/** The identity of an entry whose stat (and handle) a listing or a stat returned. */
export function identityOfEntry(dirFd: number, name: Buffer, got: StatWithHandle): Promise<Identity> {
  return identityFromStat(got.st, got.handle, () => fsTypeOfChild(dirFd, name));
}

/** A VNode for `name` in `dirFd` opened with `flags` (O_PATH ones), with its stat. Running out of
 * descriptors relieves the caches and retries once. */
export async function openNode(
  dirFd: number,
  name: Buffer,
  flags: number,
): Promise<FsResult<{ node: VNode; st: NativeStat }>> {
  const got = await openRelieved(dirFd, name, flags);
  if (typeof got === 'string') return fail(errnoOf(got, 'openat'));
  const fd = got.fd;
  const ident = await identityFromStat(got.st, got.handle, () => fsTypeOfFd(fd));
  return ok({ node: { fd, ident, type: fileTypeOf(got.st), mnt: got.st.mntId }, st: got.st });
}

/** FsOps.open; running out of descriptors relieves the caches and retries once. */
export async function openRelieved(
  dirFd: number,
  name: Buffer,
  flags: number,
): Promise<Opened | SystemErrorCode> {
  const got = await fsOps().open(dirFd, name, flags, 0);
  if (got !== 'EMFILE' && got !== 'ENFILE') return got;
  relieveDescriptors();
  return fsOps().open(dirFd, name, flags, 0);
}

/** Whether `st` is a directory. */
export function isDirectory(st: StatLike): boolean {
  return (Number(st.mode) & 0o170000) === 0o040000;
}
