import { statFd } from './fs-calls.js';
import { fsOps } from './fs-ops.js';
import { closeQuietly, O_DIRECTORY, O_PATH } from './proc-path.js';
import { type Identity, sameIdentity } from './types.js';

const DOTDOT = Buffer.from('..');
/** Deeper than any tree a path could name (PATH_MAX / 2): the walk is bounded, never a path string. */
export const MAX_ANCESTRY_DEPTH = 4096;

/**
 * Whether the directory `dirFd` holds is `root` or lies below it now: its '..' chain is walked one
 * descriptor at a time (openat(fd, "..")) until `root` or the top of the filesystem tree. It costs two
 * system calls per level, so it runs only when something says the directory may have moved. Errors on
 * the way (a directory removed meanwhile) count as outside.
 */
export async function isBelow(dirFd: number, root: Identity): Promise<boolean> {
  let fd = dirFd;
  let previous: Identity | undefined;
  try {
    for (let depth = 0; depth <= MAX_ANCESTRY_DEPTH; depth++) {
      const seen = await statFd(fd);
      if (!seen.ok) return false;
      const ident = seen.value.ident;
      if (sameIdentity(ident, root)) return true;
      // '..' of the top of the process's tree is the directory itself.
      if (previous !== undefined && sameIdentity(ident, previous)) return false;
      previous = ident;
      const up = await fsOps().open(fd, DOTDOT, O_PATH | O_DIRECTORY, 0);
      if (typeof up === 'string') return false;
      if (fd !== dirFd) closeQuietly(fd);
      fd = up.fd;
    }
    return false;
  } finally {
    if (fd !== dirFd) closeQuietly(fd);
  }
}
