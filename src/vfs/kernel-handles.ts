import fs from 'node:fs';
import { fsOps } from './fs-ops.js';
import { type FsAt, nativeFsAt } from './native.js';
import { closeQuietly, O_DIRECTORY, O_PATH } from './proc-path.js';
import type { VNode } from './types.js';

const CAP_DAC_READ_SEARCH = 2n;
const EMPTY = Buffer.alloc(0);
const HERE = Buffer.from('.');

/**
 * The kernel's own file handles for objects the server holds. They are hints only: whatever `open`
 * returns is an unverified descriptor the caller must check by identity and reach again by a confined
 * walk, since the kernel does not care whether the object is still inside the export.
 */
export interface KernelHandleOps {
  /** The struct file_handle of the object `node` holds, or undefined when its filesystem has none.
   * Synchronous: name_to_handle_at of an open descriptor reads only the in-memory inode. */
  capture(node: VNode): Buffer | undefined;
  /** An O_PATH descriptor (the caller's to close) of the object `handle` names on the filesystem of
   * `mountFd` (an O_PATH descriptor is fine), or undefined when it is gone or cannot be opened. A deleted
   * object that some descriptor still pins is opened too: check nlink. */
  open(mountFd: number, handle: Buffer): Promise<number | undefined>;
}

/** Kernel handles when the addon is loaded and the process holds CAP_DAC_READ_SEARCH, which
 * open_by_handle_at requires; otherwise undefined. */
export function kernelHandles(): KernelHandleOps | undefined {
  const at = nativeFsAt();
  // NFSGATE_NO_KERNEL_HANDLES=1 turns them off (to see how the server copes without the privilege).
  if (process.env.NFSGATE_NO_KERNEL_HANDLES === '1') return undefined;
  if (at === undefined || !hasCapability(CAP_DAC_READ_SEARCH)) return undefined;
  return {
    capture: (node) => capture(at, node),
    open: (mountFd, handle) => open(mountFd, handle),
  };
}

function capture(at: FsAt, node: VNode): Buffer | undefined {
  const got = at.nameToHandleAt(node.fd, EMPTY, at.constants.AT_EMPTY_PATH);
  return typeof got === 'string' ? undefined : got.handle;
}

async function open(mountFd: number, handle: Buffer): Promise<number | undefined> {
  // open_by_handle_at refuses O_PATH descriptors (EBADF), which are all the vfs holds: open the same
  // directory for reading just long enough to name the filesystem.
  const mount = await fsOps().open(mountFd, HERE, fs.constants.O_RDONLY | O_DIRECTORY, 0);
  if (typeof mount === 'string') return undefined;
  try {
    const fd = await fsOps().openByHandle(mount.fd, handle, O_PATH);
    return typeof fd === 'string' ? undefined : fd;
  } finally {
    closeQuietly(mount.fd);
  }
}

/** Whether the effective capability set holds `bit` (capabilities(7); CapEff in /proc/self/status). */
function hasCapability(bit: bigint): boolean {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return capEff !== undefined && ((BigInt(`0x${capEff}`) >> bit) & 1n) === 1n;
  } catch {
    return false;
  }
}
