/**
 * What makes a file system object the same object: the inode number alone is reused after a delete, so
 * the birth time (statx) is part of the identity. btime 0n means "unknown" (the file system has none).
 */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly btime: bigint;
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.btime === b.btime;
}

/** Same inode slot: the object itself, or another object that reused its inode number. */
export function sameInode(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** How an export tells an object from a later one reusing its inode number (see vfs/reuse-tag.ts). */
export type IdentityKind = 'birth-time' | 'file-handle' | 'inode-number';
