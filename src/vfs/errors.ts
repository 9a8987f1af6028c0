import type { Errno } from './types.js';

const byCode: Readonly<Record<string, Errno>> = {
  ENOENT: 'ENOENT',
  EEXIST: 'EEXIST',
  ENOTDIR: 'ENOTDIR',
  EISDIR: 'EISDIR',
  ENOTEMPTY: 'ENOTEMPTY',
  EACCES: 'EACCES',
  EPERM: 'EPERM',
  EROFS: 'EROFS',
  ENOSPC: 'ENOSPC',
  EDQUOT: 'EDQUOT',
  EFBIG: 'EFBIG',
  EOVERFLOW: 'EFBIG',
  ENAMETOOLONG: 'ENAMETOOLONG',
  EXDEV: 'EXDEV',
  EINVAL: 'EINVAL',
  ELOOP: 'ELOOP',
  EMLINK: 'EMLINK',
  ESTALE: 'ESTALE',
  EIO: 'EIO',
  ENOTSUP: 'ENOTSUP',
  EOPNOTSUPP: 'ENOTSUP',
  ENXIO: 'ENXIO',
  ENODEV: 'ENXIO',
  // A mount point or busy executable: the client cannot fix it by retrying.
  EBUSY: 'EACCES',
  ETXTBSY: 'EACCES',
  EMFILE: 'EAGAIN',
  ENFILE: 'EAGAIN',
  EAGAIN: 'EAGAIN',
  ENOMEM: 'EAGAIN',
  EBADF: 'EBADF',
};

type Reporter = (err: Error) => void;
let reportUnexpected: Reporter = () => {};

/** Errors with codes the vfs does not expect become 'EIO'; the server wants to log those. */
export function setUnexpectedErrorReporter(reporter: Reporter): void {
  reportUnexpected = reporter;
}

/** Maps an error thrown by node:fs to an Errno. Anything that is not a system error is a bug: rethrown. */
export function toErrno(err: unknown): Errno {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (
    !(err instanceof Error) ||
    typeof code !== 'string' ||
    typeof (err as NodeJS.ErrnoException).errno !== 'number'
  ) {
    throw err;
  }
  const errno = byCode[code];
  if (errno !== undefined) return errno;
  reportUnexpected(err);
  return 'EIO';
}

/** Runs a synchronous filesystem call, turning system errors into values. */
export function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; errno: Errno } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, errno: toErrno(err) };
  }
}
