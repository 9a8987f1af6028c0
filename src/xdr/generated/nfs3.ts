// Generated from xdr/nfs3.x by the nfsgate XDR generator (npm run gen). Do not edit.
import { type ProcedureCodec, type XdrReader, type XdrWriter, XdrError, decodeVoid, encodeVoid, readList, writeList } from '../index.js';

export const NFS3_FHSIZE = 64;

export const NFS3_COOKIEVERFSIZE = 8;

export const NFS3_CREATEVERFSIZE = 8;

export const NFS3_WRITEVERFSIZE = 8;

export type uint64 = bigint;
export function decode_uint64(r: XdrReader): uint64 {
  return r.uhyper();
}
export function encode_uint64(w: XdrWriter, v: uint64): void {
  w.uhyper(v);
}

export type int64 = bigint;
export function decode_int64(r: XdrReader): int64 {
  return r.hyper();
}
export function encode_int64(w: XdrWriter, v: int64): void {
  w.hyper(v);
}

export type uint32 = number;
export function decode_uint32(r: XdrReader): uint32 {
  return r.uint32();
}
export function encode_uint32(w: XdrWriter, v: uint32): void {
  w.uint32(v);
}

export type int32 = number;
export function decode_int32(r: XdrReader): int32 {
  return r.int32();
}
export function encode_int32(w: XdrWriter, v: int32): void {
  w.int32(v);
}

export type filename3 = Buffer;
export function decode_filename3(r: XdrReader): filename3 {
  return r.opaqueVar(4294967295);
}
export function encode_filename3(w: XdrWriter, v: filename3): void {
  w.string(v, 4294967295);
}

export type nfspath3 = Buffer;
export function decode_nfspath3(r: XdrReader): nfspath3 {
  return r.opaqueVar(4294967295);
}
export function encode_nfspath3(w: XdrWriter, v: nfspath3): void {
  w.string(v, 4294967295);
}

export type fileid3 = uint64;
export function decode_fileid3(r: XdrReader): fileid3 {
  return r.uhyper();
}
export function encode_fileid3(w: XdrWriter, v: fileid3): void {
  w.uhyper(v);
}

export type cookie3 = uint64;
export function decode_cookie3(r: XdrReader): cookie3 {
  return r.uhyper();
}
export function encode_cookie3(w: XdrWriter, v: cookie3): void {
  w.uhyper(v);
}

export type cookieverf3 = Buffer;
export function decode_cookieverf3(r: XdrReader): cookieverf3 {
  return r.opaqueFixed(8);
}
export function encode_cookieverf3(w: XdrWriter, v: cookieverf3): void {
  w.opaqueFixed(v, 8);
}

export type createverf3 = Buffer;
export function decode_createverf3(r: XdrReader): createverf3 {
  return r.opaqueFixed(8);
}
export function encode_createverf3(w: XdrWriter, v: createverf3): void {
  w.opaqueFixed(v, 8);
}

export type writeverf3 = Buffer;
export function decode_writeverf3(r: XdrReader): writeverf3 {
  return r.opaqueFixed(8);
}
export function encode_writeverf3(w: XdrWriter, v: writeverf3): void {
  w.opaqueFixed(v, 8);
}

export type uid3 = uint32;
export function decode_uid3(r: XdrReader): uid3 {
  return r.uint32();
}
export function encode_uid3(w: XdrWriter, v: uid3): void {
  w.uint32(v);
}

export type gid3 = uint32;
export function decode_gid3(r: XdrReader): gid3 {
  return r.uint32();
}
export function encode_gid3(w: XdrWriter, v: gid3): void {
  w.uint32(v);
}

export type size3 = uint64;
export function decode_size3(r: XdrReader): size3 {
  return r.uhyper();
}
export function encode_size3(w: XdrWriter, v: size3): void {
  w.uhyper(v);
}

export type offset3 = uint64;
export function decode_offset3(r: XdrReader): offset3 {
  return r.uhyper();
}
export function encode_offset3(w: XdrWriter, v: offset3): void {
  w.uhyper(v);
}

export type mode3 = uint32;
export function decode_mode3(r: XdrReader): mode3 {
  return r.uint32();
}
export function encode_mode3(w: XdrWriter, v: mode3): void {
  w.uint32(v);
}

export type count3 = uint32;
export function decode_count3(r: XdrReader): count3 {
  return r.uint32();
}
export function encode_count3(w: XdrWriter, v: count3): void {
  w.uint32(v);
}

export const nfsstat3 = {
  NFS3_OK: 0,
  NFS3ERR_PERM: 1,
  NFS3ERR_NOENT: 2,
  NFS3ERR_IO: 5,
  NFS3ERR_NXIO: 6,
  NFS3ERR_ACCES: 13,
  NFS3ERR_EXIST: 17,
  NFS3ERR_XDEV: 18,
  NFS3ERR_NODEV: 19,
  NFS3ERR_NOTDIR: 20,
  NFS3ERR_ISDIR: 21,
  NFS3ERR_INVAL: 22,
  NFS3ERR_FBIG: 27,
  NFS3ERR_NOSPC: 28,
  NFS3ERR_ROFS: 30,
  NFS3ERR_MLINK: 31,
  NFS3ERR_NAMETOOLONG: 63,
  NFS3ERR_NOTEMPTY: 66,
  NFS3ERR_DQUOT: 69,
  NFS3ERR_STALE: 70,
  NFS3ERR_REMOTE: 71,
  NFS3ERR_BADHANDLE: 10001,
  NFS3ERR_NOT_SYNC: 10002,
  NFS3ERR_BAD_COOKIE: 10003,
  NFS3ERR_NOTSUPP: 10004,
  NFS3ERR_TOOSMALL: 10005,
  NFS3ERR_SERVERFAULT: 10006,
  NFS3ERR_BADTYPE: 10007,
  NFS3ERR_JUKEBOX: 10008,
} as const;
export type nfsstat3 = (typeof nfsstat3)[keyof typeof nfsstat3];
const nfsstat3_values: ReadonlySet<number> = new Set(Object.values(nfsstat3));
export function decode_nfsstat3(r: XdrReader): nfsstat3 {
  const v = r.int32();
  if (!nfsstat3_values.has(v)) throw new XdrError(`bad nfsstat3 value ${v}`);
  return v as nfsstat3;
}
export function encode_nfsstat3(w: XdrWriter, v: nfsstat3): void {
  w.int32(v);
}

export const ftype3 = {
  NF3REG: 1,
  NF3DIR: 2,
  NF3BLK: 3,
  NF3CHR: 4,
  NF3LNK: 5,
  NF3SOCK: 6,
  NF3FIFO: 7,
} as const;
export type ftype3 = (typeof ftype3)[keyof typeof ftype3];
const ftype3_values: ReadonlySet<number> = new Set(Object.values(ftype3));
export function decode_ftype3(r: XdrReader): ftype3 {
  const v = r.int32();
  if (!ftype3_values.has(v)) throw new XdrError(`bad ftype3 value ${v}`);
  return v as ftype3;
}
export function encode_ftype3(w: XdrWriter, v: ftype3): void {
  w.int32(v);
}

export interface specdata3 {
  specdata1: uint32;
  specdata2: uint32;
}
export function decode_specdata3(r: XdrReader): specdata3 {
  return {
    specdata1: r.uint32(),
    specdata2: r.uint32(),
  };
}
export function encode_specdata3(w: XdrWriter, v: specdata3): void {
  w.uint32(v.specdata1);
  w.uint32(v.specdata2);
}

export interface nfs_fh3 {
  data: Buffer;
}
export function decode_nfs_fh3(r: XdrReader): nfs_fh3 {
  return {
    data: r.opaqueVar(64),
  };
}
export function encode_nfs_fh3(w: XdrWriter, v: nfs_fh3): void {
  w.opaqueVar(v.data, 64);
}

export interface nfstime3 {
  seconds: uint32;
  nseconds: uint32;
}
export function decode_nfstime3(r: XdrReader): nfstime3 {
  return {
    seconds: r.uint32(),
    nseconds: r.uint32(),
  };
}
export function encode_nfstime3(w: XdrWriter, v: nfstime3): void {
  w.uint32(v.seconds);
  w.uint32(v.nseconds);
}

export interface fattr3 {
  type: ftype3;
  mode: mode3;
  nlink: uint32;
  uid: uid3;
  gid: gid3;
  size: size3;
  used: size3;
  rdev: specdata3;
  fsid: uint64;
  fileid: fileid3;
  atime: nfstime3;
  mtime: nfstime3;
  ctime: nfstime3;
}
export function decode_fattr3(r: XdrReader): fattr3 {
  return {
    type: decode_ftype3(r),
    mode: r.uint32(),
    nlink: r.uint32(),
    uid: r.uint32(),
    gid: r.uint32(),
    size: r.uhyper(),
    used: r.uhyper(),
    rdev: decode_specdata3(r),
    fsid: r.uhyper(),
    fileid: r.uhyper(),
    atime: decode_nfstime3(r),
    mtime: decode_nfstime3(r),
    ctime: decode_nfstime3(r),
  };
}
export function encode_fattr3(w: XdrWriter, v: fattr3): void {
  encode_ftype3(w, v.type);
  w.uint32(v.mode);
  w.uint32(v.nlink);
  w.uint32(v.uid);
  w.uint32(v.gid);
  w.uhyper(v.size);
  w.uhyper(v.used);
  encode_specdata3(w, v.rdev);
  w.uhyper(v.fsid);
  w.uhyper(v.fileid);
  encode_nfstime3(w, v.atime);
  encode_nfstime3(w, v.mtime);
  encode_nfstime3(w, v.ctime);
}

export type post_op_attr =
  | { attributes_follow: true; attributes: fattr3; }
  | { attributes_follow: false; };
export function decode_post_op_attr(r: XdrReader): post_op_attr {
  const d = r.bool();
  switch (d) {
    case true:
      return { attributes_follow: d, attributes: decode_fattr3(r) } as post_op_attr;
    case false:
      return { attributes_follow: d } as post_op_attr;
    default:
      throw new XdrError(`bad post_op_attr discriminant ${d}`);
  }
}
export function encode_post_op_attr(w: XdrWriter, v: post_op_attr): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.attributes_follow);
  switch (v.attributes_follow) {
    case true: encode_fattr3(w, u.attributes); return;
    case false: return;
    default:
      throw new RangeError(`bad post_op_attr discriminant ${u.attributes_follow}`);
  }
}

export interface wcc_attr {
  size: size3;
  mtime: nfstime3;
  ctime: nfstime3;
}
export function decode_wcc_attr(r: XdrReader): wcc_attr {
  return {
    size: r.uhyper(),
    mtime: decode_nfstime3(r),
    ctime: decode_nfstime3(r),
  };
}
export function encode_wcc_attr(w: XdrWriter, v: wcc_attr): void {
  w.uhyper(v.size);
  encode_nfstime3(w, v.mtime);
  encode_nfstime3(w, v.ctime);
}

export type pre_op_attr =
  | { attributes_follow: true; attributes: wcc_attr; }
  | { attributes_follow: false; };
export function decode_pre_op_attr(r: XdrReader): pre_op_attr {
  const d = r.bool();
  switch (d) {
    case true:
      return { attributes_follow: d, attributes: decode_wcc_attr(r) } as pre_op_attr;
    case false:
      return { attributes_follow: d } as pre_op_attr;
    default:
      throw new XdrError(`bad pre_op_attr discriminant ${d}`);
  }
}
export function encode_pre_op_attr(w: XdrWriter, v: pre_op_attr): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.attributes_follow);
  switch (v.attributes_follow) {
    case true: encode_wcc_attr(w, u.attributes); return;
    case false: return;
    default:
      throw new RangeError(`bad pre_op_attr discriminant ${u.attributes_follow}`);
  }
}

export interface wcc_data {
  before: pre_op_attr;
  after: post_op_attr;
}
export function decode_wcc_data(r: XdrReader): wcc_data {
  return {
    before: decode_pre_op_attr(r),
    after: decode_post_op_attr(r),
  };
}
export function encode_wcc_data(w: XdrWriter, v: wcc_data): void {
  encode_pre_op_attr(w, v.before);
  encode_post_op_attr(w, v.after);
}

export type post_op_fh3 =
  | { handle_follows: true; handle: nfs_fh3; }
  | { handle_follows: false; };
export function decode_post_op_fh3(r: XdrReader): post_op_fh3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { handle_follows: d, handle: decode_nfs_fh3(r) } as post_op_fh3;
    case false:
      return { handle_follows: d } as post_op_fh3;
    default:
      throw new XdrError(`bad post_op_fh3 discriminant ${d}`);
  }
}
export function encode_post_op_fh3(w: XdrWriter, v: post_op_fh3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.handle_follows);
  switch (v.handle_follows) {
    case true: encode_nfs_fh3(w, u.handle); return;
    case false: return;
    default:
      throw new RangeError(`bad post_op_fh3 discriminant ${u.handle_follows}`);
  }
}

export const time_how = {
  DONT_CHANGE: 0,
  SET_TO_SERVER_TIME: 1,
  SET_TO_CLIENT_TIME: 2,
} as const;
export type time_how = (typeof time_how)[keyof typeof time_how];
const time_how_values: ReadonlySet<number> = new Set(Object.values(time_how));
export function decode_time_how(r: XdrReader): time_how {
  const v = r.int32();
  if (!time_how_values.has(v)) throw new XdrError(`bad time_how value ${v}`);
  return v as time_how;
}
export function encode_time_how(w: XdrWriter, v: time_how): void {
  w.int32(v);
}

export type set_mode3 =
  | { set_it: true; mode: mode3; }
  | { set_it: Exclude<boolean, true>; };
export function decode_set_mode3(r: XdrReader): set_mode3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, mode: r.uint32() } as set_mode3;
    default:
      return { set_it: d } as set_mode3;
  }
}
export function encode_set_mode3(w: XdrWriter, v: set_mode3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.set_it);
  switch (v.set_it) {
    case true: w.uint32(u.mode); return;
    default:
      return;
  }
}

export type set_uid3 =
  | { set_it: true; uid: uid3; }
  | { set_it: Exclude<boolean, true>; };
export function decode_set_uid3(r: XdrReader): set_uid3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, uid: r.uint32() } as set_uid3;
    default:
      return { set_it: d } as set_uid3;
  }
}
export function encode_set_uid3(w: XdrWriter, v: set_uid3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.set_it);
  switch (v.set_it) {
    case true: w.uint32(u.uid); return;
    default:
      return;
  }
}

export type set_gid3 =
  | { set_it: true; gid: gid3; }
  | { set_it: Exclude<boolean, true>; };
export function decode_set_gid3(r: XdrReader): set_gid3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, gid: r.uint32() } as set_gid3;
    default:
      return { set_it: d } as set_gid3;
  }
}
export function encode_set_gid3(w: XdrWriter, v: set_gid3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.set_it);
  switch (v.set_it) {
    case true: w.uint32(u.gid); return;
    default:
      return;
  }
}

export type set_size3 =
  | { set_it: true; size: size3; }
  | { set_it: Exclude<boolean, true>; };
export function decode_set_size3(r: XdrReader): set_size3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, size: r.uhyper() } as set_size3;
    default:
      return { set_it: d } as set_size3;
  }
}
export function encode_set_size3(w: XdrWriter, v: set_size3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.set_it);
  switch (v.set_it) {
    case true: w.uhyper(u.size); return;
    default:
      return;
  }
}

export type set_atime =
  | { set_it: 2; atime: nfstime3; }
  | { set_it: Exclude<time_how, 2>; };
export function decode_set_atime(r: XdrReader): set_atime {
  const d = decode_time_how(r);
  switch (d) {
    case 2:
      return { set_it: d, atime: decode_nfstime3(r) } as set_atime;
    default:
      return { set_it: d } as set_atime;
  }
}
export function encode_set_atime(w: XdrWriter, v: set_atime): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_time_how(w, v.set_it);
  switch (v.set_it) {
    case 2: encode_nfstime3(w, u.atime); return;
    default:
      return;
  }
}

export type set_mtime =
  | { set_it: 2; mtime: nfstime3; }
  | { set_it: Exclude<time_how, 2>; };
export function decode_set_mtime(r: XdrReader): set_mtime {
  const d = decode_time_how(r);
  switch (d) {
    case 2:
      return { set_it: d, mtime: decode_nfstime3(r) } as set_mtime;
    default:
      return { set_it: d } as set_mtime;
  }
}
export function encode_set_mtime(w: XdrWriter, v: set_mtime): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_time_how(w, v.set_it);
  switch (v.set_it) {
    case 2: encode_nfstime3(w, u.mtime); return;
    default:
      return;
  }
}

export interface sattr3 {
  mode: set_mode3;
  uid: set_uid3;
  gid: set_gid3;
  size: set_size3;
  atime: set_atime;
  mtime: set_mtime;
}
export function decode_sattr3(r: XdrReader): sattr3 {
  return {
    mode: decode_set_mode3(r),
    uid: decode_set_uid3(r),
    gid: decode_set_gid3(r),
    size: decode_set_size3(r),
    atime: decode_set_atime(r),
    mtime: decode_set_mtime(r),
  };
}
export function encode_sattr3(w: XdrWriter, v: sattr3): void {
  encode_set_mode3(w, v.mode);
  encode_set_uid3(w, v.uid);
  encode_set_gid3(w, v.gid);
  encode_set_size3(w, v.size);
  encode_set_atime(w, v.atime);
  encode_set_mtime(w, v.mtime);
}

export interface diropargs3 {
  dir: nfs_fh3;
  name: filename3;
}
export function decode_diropargs3(r: XdrReader): diropargs3 {
  return {
    dir: decode_nfs_fh3(r),
    name: r.opaqueVar(4294967295),
  };
}
export function encode_diropargs3(w: XdrWriter, v: diropargs3): void {
  encode_nfs_fh3(w, v.dir);
  w.string(v.name, 4294967295);
}

export interface GETATTR3args {
  object: nfs_fh3;
}
export function decode_GETATTR3args(r: XdrReader): GETATTR3args {
  return {
    object: decode_nfs_fh3(r),
  };
}
export function encode_GETATTR3args(w: XdrWriter, v: GETATTR3args): void {
  encode_nfs_fh3(w, v.object);
}

export interface GETATTR3resok {
  obj_attributes: fattr3;
}
export function decode_GETATTR3resok(r: XdrReader): GETATTR3resok {
  return {
    obj_attributes: decode_fattr3(r),
  };
}
export function encode_GETATTR3resok(w: XdrWriter, v: GETATTR3resok): void {
  encode_fattr3(w, v.obj_attributes);
}

export type GETATTR3res =
  | { status: 0; resok: GETATTR3resok; }
  | { status: Exclude<nfsstat3, 0>; };
export function decode_GETATTR3res(r: XdrReader): GETATTR3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_GETATTR3resok(r) } as GETATTR3res;
    default:
      return { status: d } as GETATTR3res;
  }
}
export function encode_GETATTR3res(w: XdrWriter, v: GETATTR3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_GETATTR3resok(w, u.resok); return;
    default:
      return;
  }
}

export type sattrguard3 =
  | { check: true; obj_ctime: nfstime3; }
  | { check: false; };
export function decode_sattrguard3(r: XdrReader): sattrguard3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { check: d, obj_ctime: decode_nfstime3(r) } as sattrguard3;
    case false:
      return { check: d } as sattrguard3;
    default:
      throw new XdrError(`bad sattrguard3 discriminant ${d}`);
  }
}
export function encode_sattrguard3(w: XdrWriter, v: sattrguard3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  w.bool(v.check);
  switch (v.check) {
    case true: encode_nfstime3(w, u.obj_ctime); return;
    case false: return;
    default:
      throw new RangeError(`bad sattrguard3 discriminant ${u.check}`);
  }
}

export interface SETATTR3args {
  object: nfs_fh3;
  new_attributes: sattr3;
  guard: sattrguard3;
}
export function decode_SETATTR3args(r: XdrReader): SETATTR3args {
  return {
    object: decode_nfs_fh3(r),
    new_attributes: decode_sattr3(r),
    guard: decode_sattrguard3(r),
  };
}
export function encode_SETATTR3args(w: XdrWriter, v: SETATTR3args): void {
  encode_nfs_fh3(w, v.object);
  encode_sattr3(w, v.new_attributes);
  encode_sattrguard3(w, v.guard);
}

export interface SETATTR3resok {
  obj_wcc: wcc_data;
}
export function decode_SETATTR3resok(r: XdrReader): SETATTR3resok {
  return {
    obj_wcc: decode_wcc_data(r),
  };
}
export function encode_SETATTR3resok(w: XdrWriter, v: SETATTR3resok): void {
  encode_wcc_data(w, v.obj_wcc);
}

export interface SETATTR3resfail {
  obj_wcc: wcc_data;
}
export function decode_SETATTR3resfail(r: XdrReader): SETATTR3resfail {
  return {
    obj_wcc: decode_wcc_data(r),
  };
}
export function encode_SETATTR3resfail(w: XdrWriter, v: SETATTR3resfail): void {
  encode_wcc_data(w, v.obj_wcc);
}

export type SETATTR3res =
  | { status: 0; resok: SETATTR3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: SETATTR3resfail; };
export function decode_SETATTR3res(r: XdrReader): SETATTR3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_SETATTR3resok(r) } as SETATTR3res;
    default:
      return { status: d, resfail: decode_SETATTR3resfail(r) } as SETATTR3res;
  }
}
export function encode_SETATTR3res(w: XdrWriter, v: SETATTR3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_SETATTR3resok(w, u.resok); return;
    default:
      encode_SETATTR3resfail(w, u.resfail); return;
  }
}

export interface LOOKUP3args {
  what: diropargs3;
}
export function decode_LOOKUP3args(r: XdrReader): LOOKUP3args {
  return {
    what: decode_diropargs3(r),
  };
}
export function encode_LOOKUP3args(w: XdrWriter, v: LOOKUP3args): void {
  encode_diropargs3(w, v.what);
}

export interface LOOKUP3resok {
  object: nfs_fh3;
  obj_attributes: post_op_attr;
  dir_attributes: post_op_attr;
}
export function decode_LOOKUP3resok(r: XdrReader): LOOKUP3resok {
  return {
    object: decode_nfs_fh3(r),
    obj_attributes: decode_post_op_attr(r),
    dir_attributes: decode_post_op_attr(r),
  };
}
export function encode_LOOKUP3resok(w: XdrWriter, v: LOOKUP3resok): void {
  encode_nfs_fh3(w, v.object);
  encode_post_op_attr(w, v.obj_attributes);
  encode_post_op_attr(w, v.dir_attributes);
}

export interface LOOKUP3resfail {
  dir_attributes: post_op_attr;
}
export function decode_LOOKUP3resfail(r: XdrReader): LOOKUP3resfail {
  return {
    dir_attributes: decode_post_op_attr(r),
  };
}
export function encode_LOOKUP3resfail(w: XdrWriter, v: LOOKUP3resfail): void {
  encode_post_op_attr(w, v.dir_attributes);
}

export type LOOKUP3res =
  | { status: 0; resok: LOOKUP3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: LOOKUP3resfail; };
export function decode_LOOKUP3res(r: XdrReader): LOOKUP3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_LOOKUP3resok(r) } as LOOKUP3res;
    default:
      return { status: d, resfail: decode_LOOKUP3resfail(r) } as LOOKUP3res;
  }
}
export function encode_LOOKUP3res(w: XdrWriter, v: LOOKUP3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_LOOKUP3resok(w, u.resok); return;
    default:
      encode_LOOKUP3resfail(w, u.resfail); return;
  }
}

export const ACCESS3_READ = 1;

export const ACCESS3_LOOKUP = 2;

export const ACCESS3_MODIFY = 4;

export const ACCESS3_EXTEND = 8;

export const ACCESS3_DELETE = 16;

export const ACCESS3_EXECUTE = 32;

export interface ACCESS3args {
  object: nfs_fh3;
  access: uint32;
}
export function decode_ACCESS3args(r: XdrReader): ACCESS3args {
  return {
    object: decode_nfs_fh3(r),
    access: r.uint32(),
  };
}
export function encode_ACCESS3args(w: XdrWriter, v: ACCESS3args): void {
  encode_nfs_fh3(w, v.object);
  w.uint32(v.access);
}

export interface ACCESS3resok {
  obj_attributes: post_op_attr;
  access: uint32;
}
export function decode_ACCESS3resok(r: XdrReader): ACCESS3resok {
  return {
    obj_attributes: decode_post_op_attr(r),
    access: r.uint32(),
  };
}
export function encode_ACCESS3resok(w: XdrWriter, v: ACCESS3resok): void {
  encode_post_op_attr(w, v.obj_attributes);
  w.uint32(v.access);
}

export interface ACCESS3resfail {
  obj_attributes: post_op_attr;
}
export function decode_ACCESS3resfail(r: XdrReader): ACCESS3resfail {
  return {
    obj_attributes: decode_post_op_attr(r),
  };
}
export function encode_ACCESS3resfail(w: XdrWriter, v: ACCESS3resfail): void {
  encode_post_op_attr(w, v.obj_attributes);
}

export type ACCESS3res =
  | { status: 0; resok: ACCESS3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: ACCESS3resfail; };
export function decode_ACCESS3res(r: XdrReader): ACCESS3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_ACCESS3resok(r) } as ACCESS3res;
    default:
      return { status: d, resfail: decode_ACCESS3resfail(r) } as ACCESS3res;
  }
}
export function encode_ACCESS3res(w: XdrWriter, v: ACCESS3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_ACCESS3resok(w, u.resok); return;
    default:
      encode_ACCESS3resfail(w, u.resfail); return;
  }
}

export interface READLINK3args {
  symlink: nfs_fh3;
}
export function decode_READLINK3args(r: XdrReader): READLINK3args {
  return {
    symlink: decode_nfs_fh3(r),
  };
}
export function encode_READLINK3args(w: XdrWriter, v: READLINK3args): void {
  encode_nfs_fh3(w, v.symlink);
}

export interface READLINK3resok {
  symlink_attributes: post_op_attr;
  data: nfspath3;
}
export function decode_READLINK3resok(r: XdrReader): READLINK3resok {
  return {
    symlink_attributes: decode_post_op_attr(r),
    data: r.opaqueVar(4294967295),
  };
}
export function encode_READLINK3resok(w: XdrWriter, v: READLINK3resok): void {
  encode_post_op_attr(w, v.symlink_attributes);
  w.string(v.data, 4294967295);
}

export interface READLINK3resfail {
  symlink_attributes: post_op_attr;
}
export function decode_READLINK3resfail(r: XdrReader): READLINK3resfail {
  return {
    symlink_attributes: decode_post_op_attr(r),
  };
}
export function encode_READLINK3resfail(w: XdrWriter, v: READLINK3resfail): void {
  encode_post_op_attr(w, v.symlink_attributes);
}

export type READLINK3res =
  | { status: 0; resok: READLINK3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: READLINK3resfail; };
export function decode_READLINK3res(r: XdrReader): READLINK3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_READLINK3resok(r) } as READLINK3res;
    default:
      return { status: d, resfail: decode_READLINK3resfail(r) } as READLINK3res;
  }
}
export function encode_READLINK3res(w: XdrWriter, v: READLINK3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_READLINK3resok(w, u.resok); return;
    default:
      encode_READLINK3resfail(w, u.resfail); return;
  }
}

export interface READ3args {
  file: nfs_fh3;
  offset: offset3;
  count: count3;
}
export function decode_READ3args(r: XdrReader): READ3args {
  return {
    file: decode_nfs_fh3(r),
    offset: r.uhyper(),
    count: r.uint32(),
  };
}
export function encode_READ3args(w: XdrWriter, v: READ3args): void {
  encode_nfs_fh3(w, v.file);
  w.uhyper(v.offset);
  w.uint32(v.count);
}

export interface READ3resok {
  file_attributes: post_op_attr;
  count: count3;
  eof: boolean;
  data: Buffer;
}
export function decode_READ3resok(r: XdrReader): READ3resok {
  return {
    file_attributes: decode_post_op_attr(r),
    count: r.uint32(),
    eof: r.bool(),
    data: r.opaqueVar(4294967295),
  };
}
export function encode_READ3resok(w: XdrWriter, v: READ3resok): void {
  encode_post_op_attr(w, v.file_attributes);
  w.uint32(v.count);
  w.bool(v.eof);
  w.opaqueVar(v.data, 4294967295);
}

export interface READ3resfail {
  file_attributes: post_op_attr;
}
export function decode_READ3resfail(r: XdrReader): READ3resfail {
  return {
    file_attributes: decode_post_op_attr(r),
  };
}
export function encode_READ3resfail(w: XdrWriter, v: READ3resfail): void {
  encode_post_op_attr(w, v.file_attributes);
}

export type READ3res =
  | { status: 0; resok: READ3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: READ3resfail; };
export function decode_READ3res(r: XdrReader): READ3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_READ3resok(r) } as READ3res;
    default:
      return { status: d, resfail: decode_READ3resfail(r) } as READ3res;
  }
}
export function encode_READ3res(w: XdrWriter, v: READ3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_READ3resok(w, u.resok); return;
    default:
      encode_READ3resfail(w, u.resfail); return;
  }
}

export const stable_how = {
  UNSTABLE: 0,
  DATA_SYNC: 1,
  FILE_SYNC: 2,
} as const;
export type stable_how = (typeof stable_how)[keyof typeof stable_how];
const stable_how_values: ReadonlySet<number> = new Set(Object.values(stable_how));
export function decode_stable_how(r: XdrReader): stable_how {
  const v = r.int32();
  if (!stable_how_values.has(v)) throw new XdrError(`bad stable_how value ${v}`);
  return v as stable_how;
}
export function encode_stable_how(w: XdrWriter, v: stable_how): void {
  w.int32(v);
}

export interface WRITE3args {
  file: nfs_fh3;
  offset: offset3;
  count: count3;
  stable: stable_how;
  data: Buffer;
}
export function decode_WRITE3args(r: XdrReader): WRITE3args {
  return {
    file: decode_nfs_fh3(r),
    offset: r.uhyper(),
    count: r.uint32(),
    stable: decode_stable_how(r),
    data: r.opaqueVar(4294967295),
  };
}
export function encode_WRITE3args(w: XdrWriter, v: WRITE3args): void {
  encode_nfs_fh3(w, v.file);
  w.uhyper(v.offset);
  w.uint32(v.count);
  encode_stable_how(w, v.stable);
  w.opaqueVar(v.data, 4294967295);
}

export interface WRITE3resok {
  file_wcc: wcc_data;
  count: count3;
  committed: stable_how;
  verf: writeverf3;
}
export function decode_WRITE3resok(r: XdrReader): WRITE3resok {
  return {
    file_wcc: decode_wcc_data(r),
    count: r.uint32(),
    committed: decode_stable_how(r),
    verf: r.opaqueFixed(8),
  };
}
export function encode_WRITE3resok(w: XdrWriter, v: WRITE3resok): void {
  encode_wcc_data(w, v.file_wcc);
  w.uint32(v.count);
  encode_stable_how(w, v.committed);
  w.opaqueFixed(v.verf, 8);
}

export interface WRITE3resfail {
  file_wcc: wcc_data;
}
export function decode_WRITE3resfail(r: XdrReader): WRITE3resfail {
  return {
    file_wcc: decode_wcc_data(r),
  };
}
export function encode_WRITE3resfail(w: XdrWriter, v: WRITE3resfail): void {
  encode_wcc_data(w, v.file_wcc);
}

export type WRITE3res =
  | { status: 0; resok: WRITE3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: WRITE3resfail; };
export function decode_WRITE3res(r: XdrReader): WRITE3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_WRITE3resok(r) } as WRITE3res;
    default:
      return { status: d, resfail: decode_WRITE3resfail(r) } as WRITE3res;
  }
}
export function encode_WRITE3res(w: XdrWriter, v: WRITE3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_WRITE3resok(w, u.resok); return;
    default:
      encode_WRITE3resfail(w, u.resfail); return;
  }
}

export const createmode3 = {
  UNCHECKED: 0,
  GUARDED: 1,
  EXCLUSIVE: 2,
} as const;
export type createmode3 = (typeof createmode3)[keyof typeof createmode3];
const createmode3_values: ReadonlySet<number> = new Set(Object.values(createmode3));
export function decode_createmode3(r: XdrReader): createmode3 {
  const v = r.int32();
  if (!createmode3_values.has(v)) throw new XdrError(`bad createmode3 value ${v}`);
  return v as createmode3;
}
export function encode_createmode3(w: XdrWriter, v: createmode3): void {
  w.int32(v);
}

export type createhow3 =
  | { mode: 0 | 1; obj_attributes: sattr3; }
  | { mode: 2; verf: createverf3; };
export function decode_createhow3(r: XdrReader): createhow3 {
  const d = decode_createmode3(r);
  switch (d) {
    case 0: case 1:
      return { mode: d, obj_attributes: decode_sattr3(r) } as createhow3;
    case 2:
      return { mode: d, verf: r.opaqueFixed(8) } as createhow3;
    default:
      throw new XdrError(`bad createhow3 discriminant ${d}`);
  }
}
export function encode_createhow3(w: XdrWriter, v: createhow3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_createmode3(w, v.mode);
  switch (v.mode) {
    case 0: case 1: encode_sattr3(w, u.obj_attributes); return;
    case 2: w.opaqueFixed(u.verf, 8); return;
    default:
      throw new RangeError(`bad createhow3 discriminant ${u.mode}`);
  }
}

export interface CREATE3args {
  where: diropargs3;
  how: createhow3;
}
export function decode_CREATE3args(r: XdrReader): CREATE3args {
  return {
    where: decode_diropargs3(r),
    how: decode_createhow3(r),
  };
}
export function encode_CREATE3args(w: XdrWriter, v: CREATE3args): void {
  encode_diropargs3(w, v.where);
  encode_createhow3(w, v.how);
}

export interface CREATE3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}
export function decode_CREATE3resok(r: XdrReader): CREATE3resok {
  return {
    obj: decode_post_op_fh3(r),
    obj_attributes: decode_post_op_attr(r),
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_CREATE3resok(w: XdrWriter, v: CREATE3resok): void {
  encode_post_op_fh3(w, v.obj);
  encode_post_op_attr(w, v.obj_attributes);
  encode_wcc_data(w, v.dir_wcc);
}

export interface CREATE3resfail {
  dir_wcc: wcc_data;
}
export function decode_CREATE3resfail(r: XdrReader): CREATE3resfail {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_CREATE3resfail(w: XdrWriter, v: CREATE3resfail): void {
  encode_wcc_data(w, v.dir_wcc);
}

export type CREATE3res =
  | { status: 0; resok: CREATE3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: CREATE3resfail; };
export function decode_CREATE3res(r: XdrReader): CREATE3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_CREATE3resok(r) } as CREATE3res;
    default:
      return { status: d, resfail: decode_CREATE3resfail(r) } as CREATE3res;
  }
}
export function encode_CREATE3res(w: XdrWriter, v: CREATE3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_CREATE3resok(w, u.resok); return;
    default:
      encode_CREATE3resfail(w, u.resfail); return;
  }
}

export interface MKDIR3args {
  where: diropargs3;
  attributes: sattr3;
}
export function decode_MKDIR3args(r: XdrReader): MKDIR3args {
  return {
    where: decode_diropargs3(r),
    attributes: decode_sattr3(r),
  };
}
export function encode_MKDIR3args(w: XdrWriter, v: MKDIR3args): void {
  encode_diropargs3(w, v.where);
  encode_sattr3(w, v.attributes);
}

export interface MKDIR3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}
export function decode_MKDIR3resok(r: XdrReader): MKDIR3resok {
  return {
    obj: decode_post_op_fh3(r),
    obj_attributes: decode_post_op_attr(r),
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_MKDIR3resok(w: XdrWriter, v: MKDIR3resok): void {
  encode_post_op_fh3(w, v.obj);
  encode_post_op_attr(w, v.obj_attributes);
  encode_wcc_data(w, v.dir_wcc);
}

export interface MKDIR3resfail {
  dir_wcc: wcc_data;
}
export function decode_MKDIR3resfail(r: XdrReader): MKDIR3resfail {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_MKDIR3resfail(w: XdrWriter, v: MKDIR3resfail): void {
  encode_wcc_data(w, v.dir_wcc);
}

export type MKDIR3res =
  | { status: 0; resok: MKDIR3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: MKDIR3resfail; };
export function decode_MKDIR3res(r: XdrReader): MKDIR3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_MKDIR3resok(r) } as MKDIR3res;
    default:
      return { status: d, resfail: decode_MKDIR3resfail(r) } as MKDIR3res;
  }
}
export function encode_MKDIR3res(w: XdrWriter, v: MKDIR3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_MKDIR3resok(w, u.resok); return;
    default:
      encode_MKDIR3resfail(w, u.resfail); return;
  }
}

export interface symlinkdata3 {
  symlink_attributes: sattr3;
  symlink_data: nfspath3;
}
export function decode_symlinkdata3(r: XdrReader): symlinkdata3 {
  return {
    symlink_attributes: decode_sattr3(r),
    symlink_data: r.opaqueVar(4294967295),
  };
}
export function encode_symlinkdata3(w: XdrWriter, v: symlinkdata3): void {
  encode_sattr3(w, v.symlink_attributes);
  w.string(v.symlink_data, 4294967295);
}

export interface SYMLINK3args {
  where: diropargs3;
  symlink: symlinkdata3;
}
export function decode_SYMLINK3args(r: XdrReader): SYMLINK3args {
  return {
    where: decode_diropargs3(r),
    symlink: decode_symlinkdata3(r),
  };
}
export function encode_SYMLINK3args(w: XdrWriter, v: SYMLINK3args): void {
  encode_diropargs3(w, v.where);
  encode_symlinkdata3(w, v.symlink);
}

export interface SYMLINK3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}
export function decode_SYMLINK3resok(r: XdrReader): SYMLINK3resok {
  return {
    obj: decode_post_op_fh3(r),
    obj_attributes: decode_post_op_attr(r),
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_SYMLINK3resok(w: XdrWriter, v: SYMLINK3resok): void {
  encode_post_op_fh3(w, v.obj);
  encode_post_op_attr(w, v.obj_attributes);
  encode_wcc_data(w, v.dir_wcc);
}

export interface SYMLINK3resfail {
  dir_wcc: wcc_data;
}
export function decode_SYMLINK3resfail(r: XdrReader): SYMLINK3resfail {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_SYMLINK3resfail(w: XdrWriter, v: SYMLINK3resfail): void {
  encode_wcc_data(w, v.dir_wcc);
}

export type SYMLINK3res =
  | { status: 0; resok: SYMLINK3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: SYMLINK3resfail; };
export function decode_SYMLINK3res(r: XdrReader): SYMLINK3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_SYMLINK3resok(r) } as SYMLINK3res;
    default:
      return { status: d, resfail: decode_SYMLINK3resfail(r) } as SYMLINK3res;
  }
}
export function encode_SYMLINK3res(w: XdrWriter, v: SYMLINK3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_SYMLINK3resok(w, u.resok); return;
    default:
      encode_SYMLINK3resfail(w, u.resfail); return;
  }
}

export interface devicedata3 {
  dev_attributes: sattr3;
  spec: specdata3;
}
export function decode_devicedata3(r: XdrReader): devicedata3 {
  return {
    dev_attributes: decode_sattr3(r),
    spec: decode_specdata3(r),
  };
}
export function encode_devicedata3(w: XdrWriter, v: devicedata3): void {
  encode_sattr3(w, v.dev_attributes);
  encode_specdata3(w, v.spec);
}

export type mknoddata3 =
  | { type: 4 | 3; device: devicedata3; }
  | { type: 6 | 7; pipe_attributes: sattr3; }
  | { type: Exclude<ftype3, 4 | 3 | 6 | 7>; };
export function decode_mknoddata3(r: XdrReader): mknoddata3 {
  const d = decode_ftype3(r);
  switch (d) {
    case 4: case 3:
      return { type: d, device: decode_devicedata3(r) } as mknoddata3;
    case 6: case 7:
      return { type: d, pipe_attributes: decode_sattr3(r) } as mknoddata3;
    default:
      return { type: d } as mknoddata3;
  }
}
export function encode_mknoddata3(w: XdrWriter, v: mknoddata3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_ftype3(w, v.type);
  switch (v.type) {
    case 4: case 3: encode_devicedata3(w, u.device); return;
    case 6: case 7: encode_sattr3(w, u.pipe_attributes); return;
    default:
      return;
  }
}

export interface MKNOD3args {
  where: diropargs3;
  what: mknoddata3;
}
export function decode_MKNOD3args(r: XdrReader): MKNOD3args {
  return {
    where: decode_diropargs3(r),
    what: decode_mknoddata3(r),
  };
}
export function encode_MKNOD3args(w: XdrWriter, v: MKNOD3args): void {
  encode_diropargs3(w, v.where);
  encode_mknoddata3(w, v.what);
}

export interface MKNOD3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}
export function decode_MKNOD3resok(r: XdrReader): MKNOD3resok {
  return {
    obj: decode_post_op_fh3(r),
    obj_attributes: decode_post_op_attr(r),
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_MKNOD3resok(w: XdrWriter, v: MKNOD3resok): void {
  encode_post_op_fh3(w, v.obj);
  encode_post_op_attr(w, v.obj_attributes);
  encode_wcc_data(w, v.dir_wcc);
}

export interface MKNOD3resfail {
  dir_wcc: wcc_data;
}
export function decode_MKNOD3resfail(r: XdrReader): MKNOD3resfail {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_MKNOD3resfail(w: XdrWriter, v: MKNOD3resfail): void {
  encode_wcc_data(w, v.dir_wcc);
}

export type MKNOD3res =
  | { status: 0; resok: MKNOD3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: MKNOD3resfail; };
export function decode_MKNOD3res(r: XdrReader): MKNOD3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_MKNOD3resok(r) } as MKNOD3res;
    default:
      return { status: d, resfail: decode_MKNOD3resfail(r) } as MKNOD3res;
  }
}
export function encode_MKNOD3res(w: XdrWriter, v: MKNOD3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_MKNOD3resok(w, u.resok); return;
    default:
      encode_MKNOD3resfail(w, u.resfail); return;
  }
}

export interface REMOVE3args {
  object: diropargs3;
}
export function decode_REMOVE3args(r: XdrReader): REMOVE3args {
  return {
    object: decode_diropargs3(r),
  };
}
export function encode_REMOVE3args(w: XdrWriter, v: REMOVE3args): void {
  encode_diropargs3(w, v.object);
}

export interface REMOVE3resok {
  dir_wcc: wcc_data;
}
export function decode_REMOVE3resok(r: XdrReader): REMOVE3resok {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_REMOVE3resok(w: XdrWriter, v: REMOVE3resok): void {
  encode_wcc_data(w, v.dir_wcc);
}

export interface REMOVE3resfail {
  dir_wcc: wcc_data;
}
export function decode_REMOVE3resfail(r: XdrReader): REMOVE3resfail {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_REMOVE3resfail(w: XdrWriter, v: REMOVE3resfail): void {
  encode_wcc_data(w, v.dir_wcc);
}

export type REMOVE3res =
  | { status: 0; resok: REMOVE3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: REMOVE3resfail; };
export function decode_REMOVE3res(r: XdrReader): REMOVE3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_REMOVE3resok(r) } as REMOVE3res;
    default:
      return { status: d, resfail: decode_REMOVE3resfail(r) } as REMOVE3res;
  }
}
export function encode_REMOVE3res(w: XdrWriter, v: REMOVE3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_REMOVE3resok(w, u.resok); return;
    default:
      encode_REMOVE3resfail(w, u.resfail); return;
  }
}

export interface RMDIR3args {
  object: diropargs3;
}
export function decode_RMDIR3args(r: XdrReader): RMDIR3args {
  return {
    object: decode_diropargs3(r),
  };
}
export function encode_RMDIR3args(w: XdrWriter, v: RMDIR3args): void {
  encode_diropargs3(w, v.object);
}

export interface RMDIR3resok {
  dir_wcc: wcc_data;
}
export function decode_RMDIR3resok(r: XdrReader): RMDIR3resok {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_RMDIR3resok(w: XdrWriter, v: RMDIR3resok): void {
  encode_wcc_data(w, v.dir_wcc);
}

export interface RMDIR3resfail {
  dir_wcc: wcc_data;
}
export function decode_RMDIR3resfail(r: XdrReader): RMDIR3resfail {
  return {
    dir_wcc: decode_wcc_data(r),
  };
}
export function encode_RMDIR3resfail(w: XdrWriter, v: RMDIR3resfail): void {
  encode_wcc_data(w, v.dir_wcc);
}

export type RMDIR3res =
  | { status: 0; resok: RMDIR3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: RMDIR3resfail; };
export function decode_RMDIR3res(r: XdrReader): RMDIR3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_RMDIR3resok(r) } as RMDIR3res;
    default:
      return { status: d, resfail: decode_RMDIR3resfail(r) } as RMDIR3res;
  }
}
export function encode_RMDIR3res(w: XdrWriter, v: RMDIR3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_RMDIR3resok(w, u.resok); return;
    default:
      encode_RMDIR3resfail(w, u.resfail); return;
  }
}

export interface RENAME3args {
  from: diropargs3;
  to: diropargs3;
}
export function decode_RENAME3args(r: XdrReader): RENAME3args {
  return {
    from: decode_diropargs3(r),
    to: decode_diropargs3(r),
  };
}
export function encode_RENAME3args(w: XdrWriter, v: RENAME3args): void {
  encode_diropargs3(w, v.from);
  encode_diropargs3(w, v.to);
}

export interface RENAME3resok {
  fromdir_wcc: wcc_data;
  todir_wcc: wcc_data;
}
export function decode_RENAME3resok(r: XdrReader): RENAME3resok {
  return {
    fromdir_wcc: decode_wcc_data(r),
    todir_wcc: decode_wcc_data(r),
  };
}
export function encode_RENAME3resok(w: XdrWriter, v: RENAME3resok): void {
  encode_wcc_data(w, v.fromdir_wcc);
  encode_wcc_data(w, v.todir_wcc);
}

export interface RENAME3resfail {
  fromdir_wcc: wcc_data;
  todir_wcc: wcc_data;
}
export function decode_RENAME3resfail(r: XdrReader): RENAME3resfail {
  return {
    fromdir_wcc: decode_wcc_data(r),
    todir_wcc: decode_wcc_data(r),
  };
}
export function encode_RENAME3resfail(w: XdrWriter, v: RENAME3resfail): void {
  encode_wcc_data(w, v.fromdir_wcc);
  encode_wcc_data(w, v.todir_wcc);
}

export type RENAME3res =
  | { status: 0; resok: RENAME3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: RENAME3resfail; };
export function decode_RENAME3res(r: XdrReader): RENAME3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_RENAME3resok(r) } as RENAME3res;
    default:
      return { status: d, resfail: decode_RENAME3resfail(r) } as RENAME3res;
  }
}
export function encode_RENAME3res(w: XdrWriter, v: RENAME3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_RENAME3resok(w, u.resok); return;
    default:
      encode_RENAME3resfail(w, u.resfail); return;
  }
}

export interface LINK3args {
  file: nfs_fh3;
  link: diropargs3;
}
export function decode_LINK3args(r: XdrReader): LINK3args {
  return {
    file: decode_nfs_fh3(r),
    link: decode_diropargs3(r),
  };
}
export function encode_LINK3args(w: XdrWriter, v: LINK3args): void {
  encode_nfs_fh3(w, v.file);
  encode_diropargs3(w, v.link);
}

export interface LINK3resok {
  file_attributes: post_op_attr;
  linkdir_wcc: wcc_data;
}
export function decode_LINK3resok(r: XdrReader): LINK3resok {
  return {
    file_attributes: decode_post_op_attr(r),
    linkdir_wcc: decode_wcc_data(r),
  };
}
export function encode_LINK3resok(w: XdrWriter, v: LINK3resok): void {
  encode_post_op_attr(w, v.file_attributes);
  encode_wcc_data(w, v.linkdir_wcc);
}

export interface LINK3resfail {
  file_attributes: post_op_attr;
  linkdir_wcc: wcc_data;
}
export function decode_LINK3resfail(r: XdrReader): LINK3resfail {
  return {
    file_attributes: decode_post_op_attr(r),
    linkdir_wcc: decode_wcc_data(r),
  };
}
export function encode_LINK3resfail(w: XdrWriter, v: LINK3resfail): void {
  encode_post_op_attr(w, v.file_attributes);
  encode_wcc_data(w, v.linkdir_wcc);
}

export type LINK3res =
  | { status: 0; resok: LINK3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: LINK3resfail; };
export function decode_LINK3res(r: XdrReader): LINK3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_LINK3resok(r) } as LINK3res;
    default:
      return { status: d, resfail: decode_LINK3resfail(r) } as LINK3res;
  }
}
export function encode_LINK3res(w: XdrWriter, v: LINK3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_LINK3resok(w, u.resok); return;
    default:
      encode_LINK3resfail(w, u.resfail); return;
  }
}

export interface READDIR3args {
  dir: nfs_fh3;
  cookie: cookie3;
  cookieverf: cookieverf3;
  count: count3;
}
export function decode_READDIR3args(r: XdrReader): READDIR3args {
  return {
    dir: decode_nfs_fh3(r),
    cookie: r.uhyper(),
    cookieverf: r.opaqueFixed(8),
    count: r.uint32(),
  };
}
export function encode_READDIR3args(w: XdrWriter, v: READDIR3args): void {
  encode_nfs_fh3(w, v.dir);
  w.uhyper(v.cookie);
  w.opaqueFixed(v.cookieverf, 8);
  w.uint32(v.count);
}

/** A list node: the RFC's `nextentry` chain is represented by arrays of entry3. */
export interface entry3 {
  fileid: fileid3;
  name: filename3;
  cookie: cookie3;
}
export function decode_entry3(r: XdrReader): entry3 {
  return {
    fileid: r.uhyper(),
    name: r.opaqueVar(4294967295),
    cookie: r.uhyper(),
  };
}
export function encode_entry3(w: XdrWriter, v: entry3): void {
  w.uhyper(v.fileid);
  w.string(v.name, 4294967295);
  w.uhyper(v.cookie);
}

export interface dirlist3 {
  entries: entry3[];
  eof: boolean;
}
export function decode_dirlist3(r: XdrReader): dirlist3 {
  return {
    entries: readList(r, decode_entry3),
    eof: r.bool(),
  };
}
export function encode_dirlist3(w: XdrWriter, v: dirlist3): void {
  writeList(w, v.entries, encode_entry3);
  w.bool(v.eof);
}

export interface READDIR3resok {
  dir_attributes: post_op_attr;
  cookieverf: cookieverf3;
  reply: dirlist3;
}
export function decode_READDIR3resok(r: XdrReader): READDIR3resok {
  return {
    dir_attributes: decode_post_op_attr(r),
    cookieverf: r.opaqueFixed(8),
    reply: decode_dirlist3(r),
  };
}
export function encode_READDIR3resok(w: XdrWriter, v: READDIR3resok): void {
  encode_post_op_attr(w, v.dir_attributes);
  w.opaqueFixed(v.cookieverf, 8);
  encode_dirlist3(w, v.reply);
}

export interface READDIR3resfail {
  dir_attributes: post_op_attr;
}
export function decode_READDIR3resfail(r: XdrReader): READDIR3resfail {
  return {
    dir_attributes: decode_post_op_attr(r),
  };
}
export function encode_READDIR3resfail(w: XdrWriter, v: READDIR3resfail): void {
  encode_post_op_attr(w, v.dir_attributes);
}

export type READDIR3res =
  | { status: 0; resok: READDIR3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: READDIR3resfail; };
export function decode_READDIR3res(r: XdrReader): READDIR3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_READDIR3resok(r) } as READDIR3res;
    default:
      return { status: d, resfail: decode_READDIR3resfail(r) } as READDIR3res;
  }
}
export function encode_READDIR3res(w: XdrWriter, v: READDIR3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_READDIR3resok(w, u.resok); return;
    default:
      encode_READDIR3resfail(w, u.resfail); return;
  }
}

export interface READDIRPLUS3args {
  dir: nfs_fh3;
  cookie: cookie3;
  cookieverf: cookieverf3;
  dircount: count3;
  maxcount: count3;
}
export function decode_READDIRPLUS3args(r: XdrReader): READDIRPLUS3args {
  return {
    dir: decode_nfs_fh3(r),
    cookie: r.uhyper(),
    cookieverf: r.opaqueFixed(8),
    dircount: r.uint32(),
    maxcount: r.uint32(),
  };
}
export function encode_READDIRPLUS3args(w: XdrWriter, v: READDIRPLUS3args): void {
  encode_nfs_fh3(w, v.dir);
  w.uhyper(v.cookie);
  w.opaqueFixed(v.cookieverf, 8);
  w.uint32(v.dircount);
  w.uint32(v.maxcount);
}

/** A list node: the RFC's `nextentry` chain is represented by arrays of entryplus3. */
export interface entryplus3 {
  fileid: fileid3;
  name: filename3;
  cookie: cookie3;
  name_attributes: post_op_attr;
  name_handle: post_op_fh3;
}
export function decode_entryplus3(r: XdrReader): entryplus3 {
  return {
    fileid: r.uhyper(),
    name: r.opaqueVar(4294967295),
    cookie: r.uhyper(),
    name_attributes: decode_post_op_attr(r),
    name_handle: decode_post_op_fh3(r),
  };
}
export function encode_entryplus3(w: XdrWriter, v: entryplus3): void {
  w.uhyper(v.fileid);
  w.string(v.name, 4294967295);
  w.uhyper(v.cookie);
  encode_post_op_attr(w, v.name_attributes);
  encode_post_op_fh3(w, v.name_handle);
}

export interface dirlistplus3 {
  entries: entryplus3[];
  eof: boolean;
}
export function decode_dirlistplus3(r: XdrReader): dirlistplus3 {
  return {
    entries: readList(r, decode_entryplus3),
    eof: r.bool(),
  };
}
export function encode_dirlistplus3(w: XdrWriter, v: dirlistplus3): void {
  writeList(w, v.entries, encode_entryplus3);
  w.bool(v.eof);
}

export interface READDIRPLUS3resok {
  dir_attributes: post_op_attr;
  cookieverf: cookieverf3;
  reply: dirlistplus3;
}
export function decode_READDIRPLUS3resok(r: XdrReader): READDIRPLUS3resok {
  return {
    dir_attributes: decode_post_op_attr(r),
    cookieverf: r.opaqueFixed(8),
    reply: decode_dirlistplus3(r),
  };
}
export function encode_READDIRPLUS3resok(w: XdrWriter, v: READDIRPLUS3resok): void {
  encode_post_op_attr(w, v.dir_attributes);
  w.opaqueFixed(v.cookieverf, 8);
  encode_dirlistplus3(w, v.reply);
}

export interface READDIRPLUS3resfail {
  dir_attributes: post_op_attr;
}
export function decode_READDIRPLUS3resfail(r: XdrReader): READDIRPLUS3resfail {
  return {
    dir_attributes: decode_post_op_attr(r),
  };
}
export function encode_READDIRPLUS3resfail(w: XdrWriter, v: READDIRPLUS3resfail): void {
  encode_post_op_attr(w, v.dir_attributes);
}

export type READDIRPLUS3res =
  | { status: 0; resok: READDIRPLUS3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: READDIRPLUS3resfail; };
export function decode_READDIRPLUS3res(r: XdrReader): READDIRPLUS3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_READDIRPLUS3resok(r) } as READDIRPLUS3res;
    default:
      return { status: d, resfail: decode_READDIRPLUS3resfail(r) } as READDIRPLUS3res;
  }
}
export function encode_READDIRPLUS3res(w: XdrWriter, v: READDIRPLUS3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_READDIRPLUS3resok(w, u.resok); return;
    default:
      encode_READDIRPLUS3resfail(w, u.resfail); return;
  }
}

export interface FSSTAT3args {
  fsroot: nfs_fh3;
}
export function decode_FSSTAT3args(r: XdrReader): FSSTAT3args {
  return {
    fsroot: decode_nfs_fh3(r),
  };
}
export function encode_FSSTAT3args(w: XdrWriter, v: FSSTAT3args): void {
  encode_nfs_fh3(w, v.fsroot);
}

export interface FSSTAT3resok {
  obj_attributes: post_op_attr;
  tbytes: size3;
  fbytes: size3;
  abytes: size3;
  tfiles: size3;
  ffiles: size3;
  afiles: size3;
  invarsec: uint32;
}
export function decode_FSSTAT3resok(r: XdrReader): FSSTAT3resok {
  return {
    obj_attributes: decode_post_op_attr(r),
    tbytes: r.uhyper(),
    fbytes: r.uhyper(),
    abytes: r.uhyper(),
    tfiles: r.uhyper(),
    ffiles: r.uhyper(),
    afiles: r.uhyper(),
    invarsec: r.uint32(),
  };
}
export function encode_FSSTAT3resok(w: XdrWriter, v: FSSTAT3resok): void {
  encode_post_op_attr(w, v.obj_attributes);
  w.uhyper(v.tbytes);
  w.uhyper(v.fbytes);
  w.uhyper(v.abytes);
  w.uhyper(v.tfiles);
  w.uhyper(v.ffiles);
  w.uhyper(v.afiles);
  w.uint32(v.invarsec);
}

export interface FSSTAT3resfail {
  obj_attributes: post_op_attr;
}
export function decode_FSSTAT3resfail(r: XdrReader): FSSTAT3resfail {
  return {
    obj_attributes: decode_post_op_attr(r),
  };
}
export function encode_FSSTAT3resfail(w: XdrWriter, v: FSSTAT3resfail): void {
  encode_post_op_attr(w, v.obj_attributes);
}

export type FSSTAT3res =
  | { status: 0; resok: FSSTAT3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: FSSTAT3resfail; };
export function decode_FSSTAT3res(r: XdrReader): FSSTAT3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_FSSTAT3resok(r) } as FSSTAT3res;
    default:
      return { status: d, resfail: decode_FSSTAT3resfail(r) } as FSSTAT3res;
  }
}
export function encode_FSSTAT3res(w: XdrWriter, v: FSSTAT3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_FSSTAT3resok(w, u.resok); return;
    default:
      encode_FSSTAT3resfail(w, u.resfail); return;
  }
}

export const FSF3_LINK = 1;

export const FSF3_SYMLINK = 2;

export const FSF3_HOMOGENEOUS = 8;

export const FSF3_CANSETTIME = 16;

export interface FSINFO3args {
  fsroot: nfs_fh3;
}
export function decode_FSINFO3args(r: XdrReader): FSINFO3args {
  return {
    fsroot: decode_nfs_fh3(r),
  };
}
export function encode_FSINFO3args(w: XdrWriter, v: FSINFO3args): void {
  encode_nfs_fh3(w, v.fsroot);
}

export interface FSINFO3resok {
  obj_attributes: post_op_attr;
  rtmax: uint32;
  rtpref: uint32;
  rtmult: uint32;
  wtmax: uint32;
  wtpref: uint32;
  wtmult: uint32;
  dtpref: uint32;
  maxfilesize: size3;
  time_delta: nfstime3;
  properties: uint32;
}
export function decode_FSINFO3resok(r: XdrReader): FSINFO3resok {
  return {
    obj_attributes: decode_post_op_attr(r),
    rtmax: r.uint32(),
    rtpref: r.uint32(),
    rtmult: r.uint32(),
    wtmax: r.uint32(),
    wtpref: r.uint32(),
    wtmult: r.uint32(),
    dtpref: r.uint32(),
    maxfilesize: r.uhyper(),
    time_delta: decode_nfstime3(r),
    properties: r.uint32(),
  };
}
export function encode_FSINFO3resok(w: XdrWriter, v: FSINFO3resok): void {
  encode_post_op_attr(w, v.obj_attributes);
  w.uint32(v.rtmax);
  w.uint32(v.rtpref);
  w.uint32(v.rtmult);
  w.uint32(v.wtmax);
  w.uint32(v.wtpref);
  w.uint32(v.wtmult);
  w.uint32(v.dtpref);
  w.uhyper(v.maxfilesize);
  encode_nfstime3(w, v.time_delta);
  w.uint32(v.properties);
}

export interface FSINFO3resfail {
  obj_attributes: post_op_attr;
}
export function decode_FSINFO3resfail(r: XdrReader): FSINFO3resfail {
  return {
    obj_attributes: decode_post_op_attr(r),
  };
}
export function encode_FSINFO3resfail(w: XdrWriter, v: FSINFO3resfail): void {
  encode_post_op_attr(w, v.obj_attributes);
}

export type FSINFO3res =
  | { status: 0; resok: FSINFO3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: FSINFO3resfail; };
export function decode_FSINFO3res(r: XdrReader): FSINFO3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_FSINFO3resok(r) } as FSINFO3res;
    default:
      return { status: d, resfail: decode_FSINFO3resfail(r) } as FSINFO3res;
  }
}
export function encode_FSINFO3res(w: XdrWriter, v: FSINFO3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_FSINFO3resok(w, u.resok); return;
    default:
      encode_FSINFO3resfail(w, u.resfail); return;
  }
}

export interface PATHCONF3args {
  object: nfs_fh3;
}
export function decode_PATHCONF3args(r: XdrReader): PATHCONF3args {
  return {
    object: decode_nfs_fh3(r),
  };
}
export function encode_PATHCONF3args(w: XdrWriter, v: PATHCONF3args): void {
  encode_nfs_fh3(w, v.object);
}

export interface PATHCONF3resok {
  obj_attributes: post_op_attr;
  linkmax: uint32;
  name_max: uint32;
  no_trunc: boolean;
  chown_restricted: boolean;
  case_insensitive: boolean;
  case_preserving: boolean;
}
export function decode_PATHCONF3resok(r: XdrReader): PATHCONF3resok {
  return {
    obj_attributes: decode_post_op_attr(r),
    linkmax: r.uint32(),
    name_max: r.uint32(),
    no_trunc: r.bool(),
    chown_restricted: r.bool(),
    case_insensitive: r.bool(),
    case_preserving: r.bool(),
  };
}
export function encode_PATHCONF3resok(w: XdrWriter, v: PATHCONF3resok): void {
  encode_post_op_attr(w, v.obj_attributes);
  w.uint32(v.linkmax);
  w.uint32(v.name_max);
  w.bool(v.no_trunc);
  w.bool(v.chown_restricted);
  w.bool(v.case_insensitive);
  w.bool(v.case_preserving);
}

export interface PATHCONF3resfail {
  obj_attributes: post_op_attr;
}
export function decode_PATHCONF3resfail(r: XdrReader): PATHCONF3resfail {
  return {
    obj_attributes: decode_post_op_attr(r),
  };
}
export function encode_PATHCONF3resfail(w: XdrWriter, v: PATHCONF3resfail): void {
  encode_post_op_attr(w, v.obj_attributes);
}

export type PATHCONF3res =
  | { status: 0; resok: PATHCONF3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: PATHCONF3resfail; };
export function decode_PATHCONF3res(r: XdrReader): PATHCONF3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_PATHCONF3resok(r) } as PATHCONF3res;
    default:
      return { status: d, resfail: decode_PATHCONF3resfail(r) } as PATHCONF3res;
  }
}
export function encode_PATHCONF3res(w: XdrWriter, v: PATHCONF3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_PATHCONF3resok(w, u.resok); return;
    default:
      encode_PATHCONF3resfail(w, u.resfail); return;
  }
}

export interface COMMIT3args {
  file: nfs_fh3;
  offset: offset3;
  count: count3;
}
export function decode_COMMIT3args(r: XdrReader): COMMIT3args {
  return {
    file: decode_nfs_fh3(r),
    offset: r.uhyper(),
    count: r.uint32(),
  };
}
export function encode_COMMIT3args(w: XdrWriter, v: COMMIT3args): void {
  encode_nfs_fh3(w, v.file);
  w.uhyper(v.offset);
  w.uint32(v.count);
}

export interface COMMIT3resok {
  file_wcc: wcc_data;
  verf: writeverf3;
}
export function decode_COMMIT3resok(r: XdrReader): COMMIT3resok {
  return {
    file_wcc: decode_wcc_data(r),
    verf: r.opaqueFixed(8),
  };
}
export function encode_COMMIT3resok(w: XdrWriter, v: COMMIT3resok): void {
  encode_wcc_data(w, v.file_wcc);
  w.opaqueFixed(v.verf, 8);
}

export interface COMMIT3resfail {
  file_wcc: wcc_data;
}
export function decode_COMMIT3resfail(r: XdrReader): COMMIT3resfail {
  return {
    file_wcc: decode_wcc_data(r),
  };
}
export function encode_COMMIT3resfail(w: XdrWriter, v: COMMIT3resfail): void {
  encode_wcc_data(w, v.file_wcc);
}

export type COMMIT3res =
  | { status: 0; resok: COMMIT3resok; }
  | { status: Exclude<nfsstat3, 0>; resfail: COMMIT3resfail; };
export function decode_COMMIT3res(r: XdrReader): COMMIT3res {
  const d = decode_nfsstat3(r);
  switch (d) {
    case 0:
      return { status: d, resok: decode_COMMIT3resok(r) } as COMMIT3res;
    default:
      return { status: d, resfail: decode_COMMIT3resfail(r) } as COMMIT3res;
  }
}
export function encode_COMMIT3res(w: XdrWriter, v: COMMIT3res): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_nfsstat3(w, v.status);
  switch (v.status) {
    case 0: encode_COMMIT3resok(w, u.resok); return;
    default:
      encode_COMMIT3resfail(w, u.resfail); return;
  }
}

export const NFS_PROGRAM = 100003;
export const NFS_V3 = 3;
export const NFSPROC3_NULL = 0;
export const NFSPROC3_GETATTR = 1;
export const NFSPROC3_SETATTR = 2;
export const NFSPROC3_LOOKUP = 3;
export const NFSPROC3_ACCESS = 4;
export const NFSPROC3_READLINK = 5;
export const NFSPROC3_READ = 6;
export const NFSPROC3_WRITE = 7;
export const NFSPROC3_CREATE = 8;
export const NFSPROC3_MKDIR = 9;
export const NFSPROC3_SYMLINK = 10;
export const NFSPROC3_MKNOD = 11;
export const NFSPROC3_REMOVE = 12;
export const NFSPROC3_RMDIR = 13;
export const NFSPROC3_RENAME = 14;
export const NFSPROC3_LINK = 15;
export const NFSPROC3_READDIR = 16;
export const NFSPROC3_READDIRPLUS = 17;
export const NFSPROC3_FSSTAT = 18;
export const NFSPROC3_FSINFO = 19;
export const NFSPROC3_PATHCONF = 20;
export const NFSPROC3_COMMIT = 21;
/** Procedures of NFS_PROGRAM version NFS_V3, by name. */
export const NFS_V3_PROCEDURES = {
  NFSPROC3_NULL: {
    proc: 0,
    name: 'NFSPROC3_NULL',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<undefined, undefined> as ProcedureCodec<undefined, undefined>,
  NFSPROC3_GETATTR: {
    proc: 1,
    name: 'NFSPROC3_GETATTR',
    decodeArgs: decode_GETATTR3args,
    encodeArgs: encode_GETATTR3args,
    decodeRes: decode_GETATTR3res,
    encodeRes: encode_GETATTR3res,
  } satisfies ProcedureCodec<GETATTR3args, GETATTR3res> as ProcedureCodec<GETATTR3args, GETATTR3res>,
  NFSPROC3_SETATTR: {
    proc: 2,
    name: 'NFSPROC3_SETATTR',
    decodeArgs: decode_SETATTR3args,
    encodeArgs: encode_SETATTR3args,
    decodeRes: decode_SETATTR3res,
    encodeRes: encode_SETATTR3res,
  } satisfies ProcedureCodec<SETATTR3args, SETATTR3res> as ProcedureCodec<SETATTR3args, SETATTR3res>,
  NFSPROC3_LOOKUP: {
    proc: 3,
    name: 'NFSPROC3_LOOKUP',
    decodeArgs: decode_LOOKUP3args,
    encodeArgs: encode_LOOKUP3args,
    decodeRes: decode_LOOKUP3res,
    encodeRes: encode_LOOKUP3res,
  } satisfies ProcedureCodec<LOOKUP3args, LOOKUP3res> as ProcedureCodec<LOOKUP3args, LOOKUP3res>,
  NFSPROC3_ACCESS: {
    proc: 4,
    name: 'NFSPROC3_ACCESS',
    decodeArgs: decode_ACCESS3args,
    encodeArgs: encode_ACCESS3args,
    decodeRes: decode_ACCESS3res,
    encodeRes: encode_ACCESS3res,
  } satisfies ProcedureCodec<ACCESS3args, ACCESS3res> as ProcedureCodec<ACCESS3args, ACCESS3res>,
  NFSPROC3_READLINK: {
    proc: 5,
    name: 'NFSPROC3_READLINK',
    decodeArgs: decode_READLINK3args,
    encodeArgs: encode_READLINK3args,
    decodeRes: decode_READLINK3res,
    encodeRes: encode_READLINK3res,
  } satisfies ProcedureCodec<READLINK3args, READLINK3res> as ProcedureCodec<READLINK3args, READLINK3res>,
  NFSPROC3_READ: {
    proc: 6,
    name: 'NFSPROC3_READ',
    decodeArgs: decode_READ3args,
    encodeArgs: encode_READ3args,
    decodeRes: decode_READ3res,
    encodeRes: encode_READ3res,
  } satisfies ProcedureCodec<READ3args, READ3res> as ProcedureCodec<READ3args, READ3res>,
  NFSPROC3_WRITE: {
    proc: 7,
    name: 'NFSPROC3_WRITE',
    decodeArgs: decode_WRITE3args,
    encodeArgs: encode_WRITE3args,
    decodeRes: decode_WRITE3res,
    encodeRes: encode_WRITE3res,
  } satisfies ProcedureCodec<WRITE3args, WRITE3res> as ProcedureCodec<WRITE3args, WRITE3res>,
  NFSPROC3_CREATE: {
    proc: 8,
    name: 'NFSPROC3_CREATE',
    decodeArgs: decode_CREATE3args,
    encodeArgs: encode_CREATE3args,
    decodeRes: decode_CREATE3res,
    encodeRes: encode_CREATE3res,
  } satisfies ProcedureCodec<CREATE3args, CREATE3res> as ProcedureCodec<CREATE3args, CREATE3res>,
  NFSPROC3_MKDIR: {
    proc: 9,
    name: 'NFSPROC3_MKDIR',
    decodeArgs: decode_MKDIR3args,
    encodeArgs: encode_MKDIR3args,
    decodeRes: decode_MKDIR3res,
    encodeRes: encode_MKDIR3res,
  } satisfies ProcedureCodec<MKDIR3args, MKDIR3res> as ProcedureCodec<MKDIR3args, MKDIR3res>,
  NFSPROC3_SYMLINK: {
    proc: 10,
    name: 'NFSPROC3_SYMLINK',
    decodeArgs: decode_SYMLINK3args,
    encodeArgs: encode_SYMLINK3args,
    decodeRes: decode_SYMLINK3res,
    encodeRes: encode_SYMLINK3res,
  } satisfies ProcedureCodec<SYMLINK3args, SYMLINK3res> as ProcedureCodec<SYMLINK3args, SYMLINK3res>,
  NFSPROC3_MKNOD: {
    proc: 11,
    name: 'NFSPROC3_MKNOD',
    decodeArgs: decode_MKNOD3args,
    encodeArgs: encode_MKNOD3args,
    decodeRes: decode_MKNOD3res,
    encodeRes: encode_MKNOD3res,
  } satisfies ProcedureCodec<MKNOD3args, MKNOD3res> as ProcedureCodec<MKNOD3args, MKNOD3res>,
  NFSPROC3_REMOVE: {
    proc: 12,
    name: 'NFSPROC3_REMOVE',
    decodeArgs: decode_REMOVE3args,
    encodeArgs: encode_REMOVE3args,
    decodeRes: decode_REMOVE3res,
    encodeRes: encode_REMOVE3res,
  } satisfies ProcedureCodec<REMOVE3args, REMOVE3res> as ProcedureCodec<REMOVE3args, REMOVE3res>,
  NFSPROC3_RMDIR: {
    proc: 13,
    name: 'NFSPROC3_RMDIR',
    decodeArgs: decode_RMDIR3args,
    encodeArgs: encode_RMDIR3args,
    decodeRes: decode_RMDIR3res,
    encodeRes: encode_RMDIR3res,
  } satisfies ProcedureCodec<RMDIR3args, RMDIR3res> as ProcedureCodec<RMDIR3args, RMDIR3res>,
  NFSPROC3_RENAME: {
    proc: 14,
    name: 'NFSPROC3_RENAME',
    decodeArgs: decode_RENAME3args,
    encodeArgs: encode_RENAME3args,
    decodeRes: decode_RENAME3res,
    encodeRes: encode_RENAME3res,
  } satisfies ProcedureCodec<RENAME3args, RENAME3res> as ProcedureCodec<RENAME3args, RENAME3res>,
  NFSPROC3_LINK: {
    proc: 15,
    name: 'NFSPROC3_LINK',
    decodeArgs: decode_LINK3args,
    encodeArgs: encode_LINK3args,
    decodeRes: decode_LINK3res,
    encodeRes: encode_LINK3res,
  } satisfies ProcedureCodec<LINK3args, LINK3res> as ProcedureCodec<LINK3args, LINK3res>,
  NFSPROC3_READDIR: {
    proc: 16,
    name: 'NFSPROC3_READDIR',
    decodeArgs: decode_READDIR3args,
    encodeArgs: encode_READDIR3args,
    decodeRes: decode_READDIR3res,
    encodeRes: encode_READDIR3res,
  } satisfies ProcedureCodec<READDIR3args, READDIR3res> as ProcedureCodec<READDIR3args, READDIR3res>,
  NFSPROC3_READDIRPLUS: {
    proc: 17,
    name: 'NFSPROC3_READDIRPLUS',
    decodeArgs: decode_READDIRPLUS3args,
    encodeArgs: encode_READDIRPLUS3args,
    decodeRes: decode_READDIRPLUS3res,
    encodeRes: encode_READDIRPLUS3res,
  } satisfies ProcedureCodec<READDIRPLUS3args, READDIRPLUS3res> as ProcedureCodec<READDIRPLUS3args, READDIRPLUS3res>,
  NFSPROC3_FSSTAT: {
    proc: 18,
    name: 'NFSPROC3_FSSTAT',
    decodeArgs: decode_FSSTAT3args,
    encodeArgs: encode_FSSTAT3args,
    decodeRes: decode_FSSTAT3res,
    encodeRes: encode_FSSTAT3res,
  } satisfies ProcedureCodec<FSSTAT3args, FSSTAT3res> as ProcedureCodec<FSSTAT3args, FSSTAT3res>,
  NFSPROC3_FSINFO: {
    proc: 19,
    name: 'NFSPROC3_FSINFO',
    decodeArgs: decode_FSINFO3args,
    encodeArgs: encode_FSINFO3args,
    decodeRes: decode_FSINFO3res,
    encodeRes: encode_FSINFO3res,
  } satisfies ProcedureCodec<FSINFO3args, FSINFO3res> as ProcedureCodec<FSINFO3args, FSINFO3res>,
  NFSPROC3_PATHCONF: {
    proc: 20,
    name: 'NFSPROC3_PATHCONF',
    decodeArgs: decode_PATHCONF3args,
    encodeArgs: encode_PATHCONF3args,
    decodeRes: decode_PATHCONF3res,
    encodeRes: encode_PATHCONF3res,
  } satisfies ProcedureCodec<PATHCONF3args, PATHCONF3res> as ProcedureCodec<PATHCONF3args, PATHCONF3res>,
  NFSPROC3_COMMIT: {
    proc: 21,
    name: 'NFSPROC3_COMMIT',
    decodeArgs: decode_COMMIT3args,
    encodeArgs: encode_COMMIT3args,
    decodeRes: decode_COMMIT3res,
    encodeRes: encode_COMMIT3res,
  } satisfies ProcedureCodec<COMMIT3args, COMMIT3res> as ProcedureCodec<COMMIT3args, COMMIT3res>,
} as const;
