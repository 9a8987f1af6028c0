import type { Errno } from './types.js';

export const NAME_MAX = 255;
export const PATH_MAX = 4096;

const SLASH = 0x2f;
const NUL = 0x00;
const DOT = 0x2e;

/** Checks a single path component sent by a client. '.' and '..' pass: callers decide what they mean. */
export function validateName(name: Buffer): Errno | undefined {
  if (name.length === 0) return 'EBADNAME';
  if (name.length > NAME_MAX) return 'ENAMETOOLONG';
  if (name.includes(SLASH) || name.includes(NUL)) return 'EBADNAME';
  return undefined;
}

export function isDotOrDotDot(name: Buffer): boolean {
  return (name.length === 1 && name[0] === DOT) || (name.length === 2 && name[0] === DOT && name[1] === DOT);
}

export function isDotDot(name: Buffer): boolean {
  return name.length === 2 && name[0] === DOT && name[1] === DOT;
}

/** Symlink targets are stored verbatim, but the kernel cannot store NUL or more than PATH_MAX-1 bytes. */
export function validateSymlinkTarget(target: Buffer): Errno | undefined {
  if (target.length === 0) return 'ENOENT';
  if (target.length >= PATH_MAX) return 'ENAMETOOLONG';
  if (target.includes(NUL)) return 'EINVAL';
  return undefined;
}

/** The non-empty components of a path given as bytes (any bytes but '/' survive). */
export function pathComponents(path: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      if (i > start) out.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}
