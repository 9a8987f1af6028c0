// Generated from xdr/mount.x by the nfsgate XDR generator (npm run gen). Do not edit.
import { type ProcedureCodec, type XdrReader, type XdrWriter, XdrError, decodeVoid, encodeVoid, readList, readVarArray, writeList, writeVarArray } from '../index.js';

export const MNTPATHLEN = 1024;

export const MNTNAMLEN = 255;

export const FHSIZE3 = 64;

export type fhandle3 = Buffer;
export function decode_fhandle3(r: XdrReader): fhandle3 {
  return r.opaqueVar(64);
}
export function encode_fhandle3(w: XdrWriter, v: fhandle3): void {
  w.opaqueVar(v, 64);
}

export type dirpath = Buffer;
export function decode_dirpath(r: XdrReader): dirpath {
  return r.opaqueVar(1024);
}
export function encode_dirpath(w: XdrWriter, v: dirpath): void {
  w.string(v, 1024);
}

export type name = Buffer;
export function decode_name(r: XdrReader): name {
  return r.opaqueVar(255);
}
export function encode_name(w: XdrWriter, v: name): void {
  w.string(v, 255);
}

export const mountstat3 = {
  MNT3_OK: 0,
  MNT3ERR_PERM: 1,
  MNT3ERR_NOENT: 2,
  MNT3ERR_IO: 5,
  MNT3ERR_ACCES: 13,
  MNT3ERR_NOTDIR: 20,
  MNT3ERR_INVAL: 22,
  MNT3ERR_NAMETOOLONG: 63,
  MNT3ERR_NOTSUPP: 10004,
  MNT3ERR_SERVERFAULT: 10006,
} as const;
export type mountstat3 = (typeof mountstat3)[keyof typeof mountstat3];
const mountstat3_values: ReadonlySet<number> = new Set(Object.values(mountstat3));
export function decode_mountstat3(r: XdrReader): mountstat3 {
  const v = r.int32();
  if (!mountstat3_values.has(v)) throw new XdrError(`bad mountstat3 value ${v}`);
  return v as mountstat3;
}
export function encode_mountstat3(w: XdrWriter, v: mountstat3): void {
  w.int32(v);
}

export interface mountres3_ok {
  fhandle: fhandle3;
  auth_flavors: number[];
}
export function decode_mountres3_ok(r: XdrReader): mountres3_ok {
  return {
    fhandle: r.opaqueVar(64),
    auth_flavors: readVarArray(r, 4294967295, 4, (r) => r.int32()),
  };
}
export function encode_mountres3_ok(w: XdrWriter, v: mountres3_ok): void {
  w.opaqueVar(v.fhandle, 64);
  writeVarArray(w, v.auth_flavors, 4294967295, (w, x) => w.int32(x));
}

export type mountres3 =
  | { fhs_status: 0; mountinfo: mountres3_ok; }
  | { fhs_status: Exclude<mountstat3, 0>; };
export function decode_mountres3(r: XdrReader): mountres3 {
  const d = decode_mountstat3(r);
  switch (d) {
    case 0:
      return { fhs_status: d, mountinfo: decode_mountres3_ok(r) } as mountres3;
    default:
      return { fhs_status: d } as mountres3;
  }
}
export function encode_mountres3(w: XdrWriter, v: mountres3): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_mountstat3(w, v.fhs_status);
  switch (v.fhs_status) {
    case 0: encode_mountres3_ok(w, u.mountinfo); return;
    default:
      return;
  }
}

/** A list node: the RFC's `ml_next` chain is represented by arrays of mountbody. */
export interface mountbody {
  ml_hostname: name;
  ml_directory: dirpath;
}
export function decode_mountbody(r: XdrReader): mountbody {
  return {
    ml_hostname: r.opaqueVar(255),
    ml_directory: r.opaqueVar(1024),
  };
}
export function encode_mountbody(w: XdrWriter, v: mountbody): void {
  w.string(v.ml_hostname, 255);
  w.string(v.ml_directory, 1024);
}

export type mountlist = mountbody[];
export function decode_mountlist(r: XdrReader): mountlist {
  return readList(r, decode_mountbody);
}
export function encode_mountlist(w: XdrWriter, v: mountlist): void {
  writeList(w, v, encode_mountbody);
}

/** A list node: the RFC's `gr_next` chain is represented by arrays of groupnode. */
export interface groupnode {
  gr_name: name;
}
export function decode_groupnode(r: XdrReader): groupnode {
  return {
    gr_name: r.opaqueVar(255),
  };
}
export function encode_groupnode(w: XdrWriter, v: groupnode): void {
  w.string(v.gr_name, 255);
}

export type groups = groupnode[];
export function decode_groups(r: XdrReader): groups {
  return readList(r, decode_groupnode);
}
export function encode_groups(w: XdrWriter, v: groups): void {
  writeList(w, v, encode_groupnode);
}

/** A list node: the RFC's `ex_next` chain is represented by arrays of exportnode. */
export interface exportnode {
  ex_dir: dirpath;
  ex_groups: groups;
}
export function decode_exportnode(r: XdrReader): exportnode {
  return {
    ex_dir: r.opaqueVar(1024),
    ex_groups: decode_groups(r),
  };
}
export function encode_exportnode(w: XdrWriter, v: exportnode): void {
  w.string(v.ex_dir, 1024);
  encode_groups(w, v.ex_groups);
}

export type exports = exportnode[];
export function decode_exports(r: XdrReader): exports {
  return readList(r, decode_exportnode);
}
export function encode_exports(w: XdrWriter, v: exports): void {
  writeList(w, v, encode_exportnode);
}

export const MOUNT_PROGRAM = 100005;
export const MOUNT_V3 = 3;
export const MOUNTPROC3_NULL = 0;
export const MOUNTPROC3_MNT = 1;
export const MOUNTPROC3_DUMP = 2;
export const MOUNTPROC3_UMNT = 3;
export const MOUNTPROC3_UMNTALL = 4;
export const MOUNTPROC3_EXPORT = 5;
/** Procedures of MOUNT_PROGRAM version MOUNT_V3, by name. */
export const MOUNT_V3_PROCEDURES = {
  MOUNTPROC3_NULL: {
    proc: 0,
    name: 'MOUNTPROC3_NULL',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<undefined, undefined> as ProcedureCodec<undefined, undefined>,
  MOUNTPROC3_MNT: {
    proc: 1,
    name: 'MOUNTPROC3_MNT',
    decodeArgs: (r: XdrReader) => r.opaqueVar(1024),
    encodeArgs: (w: XdrWriter, v: dirpath) => { w.string(v, 1024); },
    decodeRes: decode_mountres3,
    encodeRes: encode_mountres3,
  } satisfies ProcedureCodec<dirpath, mountres3> as ProcedureCodec<dirpath, mountres3>,
  MOUNTPROC3_DUMP: {
    proc: 2,
    name: 'MOUNTPROC3_DUMP',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decode_mountlist,
    encodeRes: encode_mountlist,
  } satisfies ProcedureCodec<undefined, mountlist> as ProcedureCodec<undefined, mountlist>,
  MOUNTPROC3_UMNT: {
    proc: 3,
    name: 'MOUNTPROC3_UMNT',
    decodeArgs: (r: XdrReader) => r.opaqueVar(1024),
    encodeArgs: (w: XdrWriter, v: dirpath) => { w.string(v, 1024); },
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<dirpath, undefined> as ProcedureCodec<dirpath, undefined>,
  MOUNTPROC3_UMNTALL: {
    proc: 4,
    name: 'MOUNTPROC3_UMNTALL',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<undefined, undefined> as ProcedureCodec<undefined, undefined>,
  MOUNTPROC3_EXPORT: {
    proc: 5,
    name: 'MOUNTPROC3_EXPORT',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decode_exports,
    encodeRes: encode_exports,
  } satisfies ProcedureCodec<undefined, exports> as ProcedureCodec<undefined, exports>,
} as const;
