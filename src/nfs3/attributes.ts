import type { Attrs, WccAttrs, WccData } from '../vfs/attrs.js';
import type { fattr3, post_op_attr, pre_op_attr, wcc_data } from '../xdr/generated/nfs3.js';

export function toFattr3(a: Attrs, fsid: bigint): fattr3 {
  return {
    type: a.type,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    used: a.used,
    rdev: { specdata1: a.rdev.major, specdata2: a.rdev.minor },
    fsid,
    fileid: a.fileid,
    atime: a.atime,
    mtime: a.mtime,
    ctime: a.ctime,
  };
}

export const NO_ATTRS: post_op_attr = { attributes_follow: false };
export const NO_WCC: wcc_data = { before: { attributes_follow: false }, after: NO_ATTRS };

export function postOp(a: Attrs | undefined, fsid: bigint): post_op_attr {
  return a ? { attributes_follow: true, attributes: toFattr3(a, fsid) } : NO_ATTRS;
}

export function preOp(w: WccAttrs | undefined): pre_op_attr {
  return w
    ? { attributes_follow: true, attributes: { size: w.size, mtime: w.mtime, ctime: w.ctime } }
    : { attributes_follow: false };
}

export function wcc(d: WccData | undefined, fsid: bigint): wcc_data {
  return d ? { before: preOp(d.before), after: postOp(d.after, fsid) } : NO_WCC;
}

export function wccOf(a: Attrs): WccAttrs {
  return { size: a.size, mtime: a.mtime, ctime: a.ctime };
}
