import { done } from './fs-calls.js';
import { fsOps } from './fs-ops.js';
import { FileType, type FsResult } from './types.js';

export type SpecialType =
  | typeof FileType.FIFO
  | typeof FileType.SOCK
  | typeof FileType.CHR
  | typeof FileType.BLK;

const FORMAT: Readonly<Record<SpecialType, number>> = {
  [FileType.FIFO]: 0o010000,
  [FileType.SOCK]: 0o140000,
  [FileType.CHR]: 0o020000,
  [FileType.BLK]: 0o060000,
};

/** Until the caller applies the client's mode: nobody else can use the node meanwhile. */
const INITIAL_PERMISSIONS = 0o600;

/**
 * Creates a FIFO, socket or device node named `name` in the directory `dirFd` refers to, with one
 * mknodat(2) (Linux makes sockets that way too): the node appears under the client's name only, an
 * existing name fails with EEXIST, and any bytes in the name are kept. Errors are mapped from the errno.
 */
export function makeSpecial(
  dirFd: number,
  name: Buffer,
  type: SpecialType,
  rdev: { major: number; minor: number },
): Promise<FsResult<void>> {
  const isDevice = type === FileType.CHR || type === FileType.BLK;
  const made = fsOps().mknod(
    dirFd,
    name,
    FORMAT[type] | INITIAL_PERMISSIONS,
    isDevice ? rdev.major : 0,
    isDevice ? rdev.minor : 0,
  );
  return done(made, 'mknodat');
}
