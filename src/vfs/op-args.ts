import { NAME_MAX, PATH_MAX } from './names.js';
import type { SystemErrorCode } from './native.js';

const SLASH = 0x2f;
const NUL = 0x00;

/**
 * What the FsOps implementations refuse before any system call, as native/fsat.c does: a name that is
 * not one path component ('EINVAL': a '/' would make the kernel walk, and follow symlinks in, the
 * components before it), one longer than NAME_MAX, and a negative directory descriptor ('EBADF': every
 * name is relative to a descriptor the caller verified, never to the working directory).
 */
export function refusedName(dirfd: number, name: Buffer): SystemErrorCode | undefined {
  if (name.length > NAME_MAX) return 'ENAMETOOLONG';
  if (name.includes(SLASH) || name.includes(NUL)) return 'EINVAL';
  if (!Number.isInteger(dirfd) || dirfd < 0) return 'EBADF';
  return undefined;
}

/** The same for a call that creates or removes `name`: there an empty name is 'ENOENT', as the kernel
 * answers for an empty path without AT_EMPTY_PATH. */
export function refusedNewName(dirfd: number, name: Buffer): SystemErrorCode | undefined {
  return refusedName(dirfd, name) ?? (name.length === 0 ? 'ENOENT' : undefined);
}

export function refusedFd(fd: number): SystemErrorCode | undefined {
  return !Number.isInteger(fd) || fd < 0 ? 'EBADF' : undefined;
}

/** Symlink targets are stored verbatim, but the kernel cannot store an empty one, a NUL, or more than
 * PATH_MAX - 1 bytes. */
export function refusedTarget(target: Buffer): SystemErrorCode | undefined {
  if (target.length === 0) return 'ENOENT';
  if (target.length >= PATH_MAX) return 'ENAMETOOLONG';
  if (target.includes(NUL)) return 'EINVAL';
  return undefined;
}
