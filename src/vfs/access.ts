import { readFileSync } from 'node:fs';
import type { Attrs } from './attrs.js';
import { type Caller, inGroup, isRoot } from './credentials.js';
import { type Errno, FileType } from './types.js';

export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

/** ACCESS3 bits (RFC 1813 section 3.3.4). */
export const Access3 = {
  READ: 0x01,
  LOOKUP: 0x02,
  MODIFY: 0x04,
  EXTEND: 0x08,
  DELETE: 0x10,
  EXECUTE: 0x20,
} as const;

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/** POSIX permission check for `want` (R_OK|W_OK|X_OK). Root passes, except that execute on a
 * non-directory needs at least one x bit, as the kernel grants CAP_DAC_OVERRIDE. Only the class the
 * caller falls into counts: an owner without r is refused even when others may read. */
export function mayAccess(caller: Caller, attrs: Attrs, want: number): boolean {
  if (isRoot(caller)) {
    if ((want & X_OK) !== 0 && attrs.type !== FileType.DIR) return (attrs.mode & 0o111) !== 0;
    return true;
  }
  let granted: number;
  if (caller.uid === attrs.uid) granted = (attrs.mode >> 6) & 7;
  else if (inGroup(caller, attrs.gid)) granted = (attrs.mode >> 3) & 7;
  else granted = attrs.mode & 7;
  return (want & granted) === want;
}

/** The ACCESS3 answer: which of `requested` the caller is granted, computed as knfsd does (DELETE is only
 * reported for directories, meaning write and search on it; LOOKUP only for directories, EXECUTE only for
 * non-directories). The export's read-only state is applied by the caller. */
export function accessBits(caller: Caller, attrs: Attrs, requested: number): number {
  const isDir = attrs.type === FileType.DIR;
  let granted = 0;
  const grant = (bit: number, want: number) => {
    if ((requested & bit) !== 0 && mayAccess(caller, attrs, want)) granted |= bit;
  };
  grant(Access3.READ, R_OK);
  grant(Access3.MODIFY, W_OK);
  grant(Access3.EXTEND, W_OK);
  if (isDir) {
    grant(Access3.LOOKUP, X_OK);
    grant(Access3.DELETE, W_OK | X_OK);
  } else {
    grant(Access3.EXECUTE, X_OK);
  }
  return granted;
}

/** Access bits that modify something, refused on a read-only export. */
export const MUTATING_ACCESS = Access3.MODIFY | Access3.EXTEND | Access3.DELETE;

/** Sticky directories (mode +t): only the child's owner, the directory's owner or root may remove or
 * rename the child. */
export function stickyAllows(caller: Caller, dirAttrs: Attrs, childAttrs: Attrs): boolean {
  if ((dirAttrs.mode & S_ISVTX) === 0 || isRoot(caller)) return true;
  return caller.uid === childAttrs.uid || caller.uid === dirAttrs.uid;
}

export function mayDeleteChild(caller: Caller, dirAttrs: Attrs, childAttrs: Attrs): boolean {
  return mayAccess(caller, dirAttrs, W_OK | X_OK) && stickyAllows(caller, dirAttrs, childAttrs);
}

export type TimeChange = 'now' | { readonly seconds: number; readonly nseconds: number };

/** The parts of sattr3 the vfs applies. */
export interface SetattrRequest {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly size?: bigint;
  readonly atime?: TimeChange;
  readonly mtime?: TimeChange;
}

/** Linux chmod/chown/truncate/utimes rules for `caller` acting on an object with `attrs`. */
export function checkSetattr(caller: Caller, attrs: Attrs, req: SetattrRequest): Errno | undefined {
  const root = isRoot(caller);
  const owner = caller.uid === attrs.uid;
  // Linux chown_ok/chgrp_ok: even "changing" to the current owner or group is the owner's (or root's).
  if (req.uid !== undefined && !root && !(owner && req.uid === attrs.uid)) return 'EPERM';
  if (req.gid !== undefined && !root && !(owner && (req.gid === attrs.gid || inGroup(caller, req.gid)))) {
    return 'EPERM';
  }
  if (req.mode !== undefined && !root && !owner) return 'EPERM';
  const times = [req.atime, req.mtime].filter((t) => t !== undefined);
  if (times.some((t) => t !== 'now') && !root && !owner) return 'EPERM';
  if (times.length > 0 && !root && !owner && !mayAccess(caller, attrs, W_OK)) return 'EACCES';
  if (req.size !== undefined) {
    if (attrs.type === FileType.DIR) return 'EISDIR';
    if (attrs.type !== FileType.REG) return 'EINVAL';
    if (!mayAccess(caller, attrs, W_OK)) return 'EACCES';
  }
  return undefined;
}

/** The mode chmod really applies: a caller without CAP_FSETID who is not in the file's group cannot set
 * setgid (Linux setattr_copy). */
export function effectiveChmod(caller: Caller, mode: number, gidAfter: number): number {
  const bits = mode & 0o7777;
  if (!isRoot(caller) && !inGroup(caller, gidAfter)) return bits & ~S_ISGID;
  return bits;
}

/** The mode a new object gets: setgid directories pass their setgid bit to new directories, and a
 * non-root caller cannot create a setgid file in a group it is not in. */
export function creationMode(
  caller: Caller,
  parent: Attrs,
  requested: number,
  type: FileType,
  gid: number,
): number {
  let mode = requested & 0o7777;
  if (type === FileType.DIR && (parent.mode & S_ISGID) !== 0) mode |= S_ISGID;
  if (type !== FileType.DIR && !isRoot(caller) && !inGroup(caller, gid)) mode &= ~S_ISGID;
  return mode;
}

/** The group a new object gets: the parent's when the parent is setgid (BSD semantics), else the
 * caller's. */
export function creationGid(caller: Caller, parent: Attrs): number {
  return (parent.mode & S_ISGID) !== 0 ? parent.gid : caller.gid;
}

/** A write by someone other than root strips setuid, and setgid when group-executable (Linux
 * file_remove_privs); the server writes as root, so it must do this itself. Returns the new mode or
 * undefined when nothing changes. */
export function modeAfterWrite(caller: Caller, attrs: Attrs): number | undefined {
  if (isRoot(caller)) return undefined;
  let mode = attrs.mode & ~S_ISUID;
  if ((attrs.mode & S_ISGID) !== 0 && (attrs.mode & 0o010) !== 0) mode &= ~S_ISGID;
  return mode === attrs.mode ? undefined : mode;
}

/**
 * fs.protected_hardlinks (Linux may_linkat): a caller may hard-link only a file it owns, or a regular file
 * that is neither setuid nor setgid-executable and that it may read and write. The server links as root,
 * whom the kernel exempts, so it applies the rule for the caller itself; `protectedHardlinks` is the host's
 * setting.
 */
export function mayHardlink(caller: Caller, attrs: Attrs, protectedHardlinks: boolean): boolean {
  if (!protectedHardlinks || isRoot(caller) || caller.uid === attrs.uid) return true;
  if (attrs.type !== FileType.REG || (attrs.mode & S_ISUID) !== 0) return false;
  if ((attrs.mode & (S_ISGID | 0o010)) === (S_ISGID | 0o010)) return false;
  return mayAccess(caller, attrs, R_OK | W_OK);
}

let hostProtection: boolean | undefined;

/** The host's fs.protected_hardlinks, read once; a host that does not say is taken to protect. */
export function hostProtectsHardlinks(): boolean {
  if (hostProtection === undefined) {
    try {
      hostProtection = readFileSync('/proc/sys/fs/protected_hardlinks', 'utf8').trim() !== '0';
    } catch {
      hostProtection = true;
    }
  }
  return hostProtection;
}

export const ModeBits = { S_ISUID, S_ISGID, S_ISVTX } as const;
