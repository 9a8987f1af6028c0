/** What makes a filesystem object the same object across restarts: inode numbers are reused after a
 * delete, so the birth time (statx) tells a reused inode apart; 0n where the filesystem lacks it. */
export interface Identity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly btime: bigint;
}

/** ftype3 (RFC 1813 section 2.6). */
export const FileType = {
  REG: 1,
  DIR: 2,
  BLK: 3,
  CHR: 4,
  LNK: 5,
  SOCK: 6,
  FIFO: 7,
} as const;
export type FileType = (typeof FileType)[keyof typeof FileType];

/** A resolved object: `fd` is an O_PATH|O_NOFOLLOW descriptor owned by whoever received the VNode
 * (close it with `closeVNode` or hand it to a NodeCache). Every operation re-checks `ident` against the
 * descriptor, so a descriptor closed and reused behind the holder's back yields 'EBADF', never another
 * object. */
export interface VNode {
  readonly fd: number;
  readonly ident: Identity;
  readonly type: FileType;
  /** The mount the descriptor reached the object through (statx STATX_MNT_ID; fixed for its lifetime):
   * a bind mount of the export's own device has the same `dev` but another mount. */
  readonly mnt: bigint;
}

/**
 * Errors the vfs reports. Besides the POSIX ones:
 * - 'EBADNAME': a client name that is empty or contains '/' or NUL (knfsd rejects those while decoding
 *   the arguments; the NFS layer chooses between GARBAGE_ARGS and NFS3ERR_INVAL).
 * - 'EBADF': the VNode's descriptor was closed (cache eviction) or reused: rebuild the node and retry.
 * - 'EAGAIN': out of descriptors or another transient shortage (NFS3ERR_JUKEBOX).
 * - 'ENOTSYNC': the SETATTR ctime guard did not match (NFS3ERR_NOT_SYNC).
 */
export type Errno =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EACCES'
  | 'EPERM'
  | 'EROFS'
  | 'ENOSPC'
  | 'EDQUOT'
  | 'EFBIG'
  | 'ENAMETOOLONG'
  | 'EXDEV'
  | 'EINVAL'
  | 'ELOOP'
  | 'EMLINK'
  | 'ESTALE'
  | 'EIO'
  | 'ENOTSUP'
  | 'ENXIO'
  | 'EBADNAME'
  | 'EBADF'
  | 'EAGAIN'
  | 'ENOTSYNC';

export type FsResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errno: Errno };

export function ok<T>(value: T): FsResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(errno: Errno): FsResult<T> {
  return { ok: false, errno };
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.btime === b.btime;
}
