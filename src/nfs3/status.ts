import type { Errno } from '../vfs/types.js';
import { nfsstat3 } from '../xdr/generated/nfs3.js';

/**
 * errno -> nfsstat3, with care: NFS3ERR_STALE only for errors about the handle itself (macOS drops
 * buffered writes on STALE), and transient shortages as JUKEBOX so clients retry instead of failing.
 */
/** Every nfsstat3 but NFS3_OK: what a failed procedure answers. */
export type NfsError = Exclude<nfsstat3, typeof nfsstat3.NFS3_OK>;

const BY_ERRNO: Record<Errno, NfsError> = {
  ENOENT: nfsstat3.NFS3ERR_NOENT,
  EEXIST: nfsstat3.NFS3ERR_EXIST,
  ENOTDIR: nfsstat3.NFS3ERR_NOTDIR,
  EISDIR: nfsstat3.NFS3ERR_ISDIR,
  ENOTEMPTY: nfsstat3.NFS3ERR_NOTEMPTY,
  EACCES: nfsstat3.NFS3ERR_ACCES,
  EPERM: nfsstat3.NFS3ERR_PERM,
  EROFS: nfsstat3.NFS3ERR_ROFS,
  ENOSPC: nfsstat3.NFS3ERR_NOSPC,
  EDQUOT: nfsstat3.NFS3ERR_DQUOT,
  EFBIG: nfsstat3.NFS3ERR_FBIG,
  ENAMETOOLONG: nfsstat3.NFS3ERR_NAMETOOLONG,
  EXDEV: nfsstat3.NFS3ERR_XDEV,
  EINVAL: nfsstat3.NFS3ERR_INVAL,
  // RFC 1813 has no ELOOP. The vfs reports it when a request names a symlink where it refuses to follow
  // one (O_NOFOLLOW), i.e. the wrong type of object for the operation: INVAL, as knfsd answers READ of a
  // symlink.
  ELOOP: nfsstat3.NFS3ERR_INVAL,
  EMLINK: nfsstat3.NFS3ERR_MLINK,
  ESTALE: nfsstat3.NFS3ERR_STALE,
  EIO: nfsstat3.NFS3ERR_IO,
  ENOTSUP: nfsstat3.NFS3ERR_NOTSUPP,
  ENXIO: nfsstat3.NFS3ERR_NXIO,
  EBADNAME: nfsstat3.NFS3ERR_INVAL,
  // A descriptor closed under the operation: the caller rebuilds and retries; if it still surfaces, the
  // client should retry too.
  EBADF: nfsstat3.NFS3ERR_JUKEBOX,
  EAGAIN: nfsstat3.NFS3ERR_JUKEBOX,
  ENOTSYNC: nfsstat3.NFS3ERR_NOT_SYNC,
};

export function statusOf(errno: Errno): NfsError {
  return BY_ERRNO[errno];
}
