import type { Attrs, WccAttrs, WccData } from '../vfs/attrs.js';
import type { fattr3, post_op_attr, pre_op_attr, wcc_data } from '../xdr/generated/nfs3.js';

/** What an object's fsid is derived from: the export's own fsid and the device of its root. */
export interface FsidSource {
  readonly fsid: bigint;
  readonly root: { readonly ident: { readonly dev: bigint } };
}

const MASK64 = (1n << 64n) - 1n;

/**
 * The export's fsid for objects on the export root's filesystem; for one on a filesystem mounted inside
 * (crossmnt), an fsid derived from the export's and that filesystem's device number: stable while the
 * device keeps its number, different from the export's, so the client sees two filesystems and never
 * confuses their inode numbers. (knfsd gives a crossed mount its own fsid too.)
 */
export function fsidOf(exp: FsidSource, dev: bigint): bigint {
  if (dev === exp.root.ident.dev) return exp.fsid;
  // splitmix64 finaliser over fsid and device: well spread, never the export's own value in practice.
  let z = (exp.fsid ^ ((dev + 0x9e3779b97f4a7c15n) * 0xbf58476d1ce4e5b9n)) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  return z === exp.fsid ? z ^ 1n : z;
}

export function toFattr3(a: Attrs, exp: FsidSource): fattr3 {
  return {
    type: a.type,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    used: a.used,
    rdev: { specdata1: a.rdev.major, specdata2: a.rdev.minor },
    fsid: fsidOf(exp, a.dev),
    fileid: a.fileid,
    atime: a.atime,
    mtime: a.mtime,
    ctime: a.ctime,
  };
}

export const NO_ATTRS: post_op_attr = { attributes_follow: false };
export const NO_WCC: wcc_data = { before: { attributes_follow: false }, after: NO_ATTRS };

export function postOp(a: Attrs | undefined, exp: FsidSource): post_op_attr {
  return a ? { attributes_follow: true, attributes: toFattr3(a, exp) } : NO_ATTRS;
}

export function preOp(w: WccAttrs | undefined): pre_op_attr {
  return w
    ? { attributes_follow: true, attributes: { size: w.size, mtime: w.mtime, ctime: w.ctime } }
    : { attributes_follow: false };
}

export function wcc(d: WccData | undefined, exp: FsidSource): wcc_data {
  return d ? { before: preOp(d.before), after: postOp(d.after, exp) } : NO_WCC;
}

export function wccOf(a: Attrs): WccAttrs {
  return { size: a.size, mtime: a.mtime, ctime: a.ctime };
}
