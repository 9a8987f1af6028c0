import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { attempt } from './errors.js';
import { procPath, procPathForChild } from './proc-path.js';
import { type Errno, FileType, type FsResult, fail, ok } from './types.js';

export type SpecialType =
  | typeof FileType.FIFO
  | typeof FileType.SOCK
  | typeof FileType.CHR
  | typeof FileType.BLK;

const MKNOD = '/usr/bin/mknod';

// Sockets cannot be made by mknod(1); a child node binds one. It exits without closing the server, since
// closing a listening pipe unlinks its path.
const BIND_SOCKET = "require('node:net').createServer().listen(process.argv[1], () => process.exit(0))";

/**
 * Creates a FIFO, socket or device node named `name` in the directory `dirFd` refers to.
 *
 * Node has no mknod(2), so a child process makes the node under a random ASCII name with its working
 * directory set to our descriptor's directory (it inherits the descriptor until exec, and chdir resolves
 * the magic link to the directory itself, so a path swapped in meanwhile cannot redirect it). The node is
 * then hard-linked to the client's name, which fails with EEXIST like mknod(2) would and keeps names that
 * are not UTF-8 intact, and the temporary name is removed.
 */
export function makeSpecial(
  dirFd: number,
  name: Buffer,
  type: SpecialType,
  rdev: { major: number; minor: number },
): FsResult<void> {
  const temp = `.nfsgate-mknod-${randomBytes(8).toString('hex')}`;
  const made = spawnNode(dirFd, temp, type, rdev);
  if (made !== undefined) return fail(made);
  const tempPath = procPath(dirFd, Buffer.from(temp));
  const linked = attempt(() => fs.linkSync(tempPath, procPath(dirFd, name)));
  attempt(() => fs.unlinkSync(tempPath));
  return linked.ok ? ok(undefined) : fail(linked.errno);
}

function spawnNode(
  dirFd: number,
  temp: string,
  type: SpecialType,
  rdev: { major: number; minor: number },
): Errno | undefined {
  let command: string;
  let args: string[];
  switch (type) {
    case FileType.FIFO:
      [command, args] = [MKNOD, [temp, 'p']];
      break;
    case FileType.CHR:
      [command, args] = [MKNOD, [temp, 'c', String(rdev.major), String(rdev.minor)]];
      break;
    case FileType.BLK:
      [command, args] = [MKNOD, [temp, 'b', String(rdev.major), String(rdev.minor)]];
      break;
    case FileType.SOCK:
      [command, args] = [process.execPath, ['-e', BIND_SOCKET, temp]];
      break;
  }
  const result = spawnSync(command, args, {
    cwd: procPathForChild(dirFd),
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10_000,
  });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'ENOTSUP' : 'EIO';
  }
  if (result.status === 0) return undefined;
  return errnoFromMessage(result.stderr?.toString() ?? '');
}

/** The child only reports its failure as text (strerror). */
function errnoFromMessage(message: string): Errno {
  if (message.includes('No space left')) return 'ENOSPC';
  if (message.includes('Permission denied')) return 'EACCES';
  if (message.includes('Operation not permitted')) return 'EPERM';
  if (message.includes('Read-only file system')) return 'EROFS';
  if (message.includes('Disk quota')) return 'EDQUOT';
  if (message.includes('No such file')) return 'ENOENT';
  return 'EIO';
}
