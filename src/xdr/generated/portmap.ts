// Generated from xdr/portmap.x by the nfsgate XDR generator (npm run gen). Do not edit.
import { type ProcedureCodec, type XdrReader, type XdrWriter, decodeVoid, encodeVoid, readFixedArray, readList, writeFixedArray, writeList } from '../index.js';

export const PMAP_PORT = 111;

export interface mapping {
  prog: number;
  vers: number;
  prot: number;
  port: number;
}
export function decode_mapping(r: XdrReader): mapping {
  return {
    prog: r.uint32(),
    vers: r.uint32(),
    prot: r.uint32(),
    port: r.uint32(),
  };
}
export function encode_mapping(w: XdrWriter, v: mapping): void {
  w.uint32(v.prog);
  w.uint32(v.vers);
  w.uint32(v.prot);
  w.uint32(v.port);
}

export const IPPROTO_TCP = 6;

export const IPPROTO_UDP = 17;

/** A list node: the RFC's `next` chain is represented by arrays of pmaplist. */
export interface pmaplist {
  map: mapping;
}
export function decode_pmaplist(r: XdrReader): pmaplist {
  return {
    map: decode_mapping(r),
  };
}
export function encode_pmaplist(w: XdrWriter, v: pmaplist): void {
  encode_mapping(w, v.map);
}

export type pmaplist_ptr = pmaplist[];
export function decode_pmaplist_ptr(r: XdrReader): pmaplist_ptr {
  return readList(r, decode_pmaplist);
}
export function encode_pmaplist_ptr(w: XdrWriter, v: pmaplist_ptr): void {
  writeList(w, v, encode_pmaplist);
}

export interface call_args {
  prog: number;
  vers: number;
  proc: number;
  args: Buffer;
}
export function decode_call_args(r: XdrReader): call_args {
  return {
    prog: r.uint32(),
    vers: r.uint32(),
    proc: r.uint32(),
    args: r.opaqueVar(4294967295),
  };
}
export function encode_call_args(w: XdrWriter, v: call_args): void {
  w.uint32(v.prog);
  w.uint32(v.vers);
  w.uint32(v.proc);
  w.opaqueVar(v.args, 4294967295);
}

export interface call_result {
  port: number;
  res: Buffer;
}
export function decode_call_result(r: XdrReader): call_result {
  return {
    port: r.uint32(),
    res: r.opaqueVar(4294967295),
  };
}
export function encode_call_result(w: XdrWriter, v: call_result): void {
  w.uint32(v.port);
  w.opaqueVar(v.res, 4294967295);
}

export const RPCB_PORT = 111;

export type rpcb_uaddr = Buffer;
export function decode_rpcb_uaddr(r: XdrReader): rpcb_uaddr {
  return r.opaqueVar(4294967295);
}
export function encode_rpcb_uaddr(w: XdrWriter, v: rpcb_uaddr): void {
  w.string(v, 4294967295);
}

export interface rpcb {
  r_prog: number;
  r_vers: number;
  r_netid: Buffer;
  r_addr: Buffer;
  r_owner: Buffer;
}
export function decode_rpcb(r: XdrReader): rpcb {
  return {
    r_prog: r.uint32(),
    r_vers: r.uint32(),
    r_netid: r.opaqueVar(4294967295),
    r_addr: r.opaqueVar(4294967295),
    r_owner: r.opaqueVar(4294967295),
  };
}
export function encode_rpcb(w: XdrWriter, v: rpcb): void {
  w.uint32(v.r_prog);
  w.uint32(v.r_vers);
  w.string(v.r_netid, 4294967295);
  w.string(v.r_addr, 4294967295);
  w.string(v.r_owner, 4294967295);
}

/** A list node: the RFC's `rpcb_next` chain is represented by arrays of rp__list. */
export interface rp__list {
  rpcb_map: rpcb;
}
export function decode_rp__list(r: XdrReader): rp__list {
  return {
    rpcb_map: decode_rpcb(r),
  };
}
export function encode_rp__list(w: XdrWriter, v: rp__list): void {
  encode_rpcb(w, v.rpcb_map);
}

export type rpcblist_ptr = rp__list[];
export function decode_rpcblist_ptr(r: XdrReader): rpcblist_ptr {
  return readList(r, decode_rp__list);
}
export function encode_rpcblist_ptr(w: XdrWriter, v: rpcblist_ptr): void {
  writeList(w, v, encode_rp__list);
}

export interface rpcb_rmtcallargs {
  prog: number;
  vers: number;
  proc: number;
  args: Buffer;
}
export function decode_rpcb_rmtcallargs(r: XdrReader): rpcb_rmtcallargs {
  return {
    prog: r.uint32(),
    vers: r.uint32(),
    proc: r.uint32(),
    args: r.opaqueVar(4294967295),
  };
}
export function encode_rpcb_rmtcallargs(w: XdrWriter, v: rpcb_rmtcallargs): void {
  w.uint32(v.prog);
  w.uint32(v.vers);
  w.uint32(v.proc);
  w.opaqueVar(v.args, 4294967295);
}

export interface rpcb_rmtcallres {
  addr: Buffer;
  results: Buffer;
}
export function decode_rpcb_rmtcallres(r: XdrReader): rpcb_rmtcallres {
  return {
    addr: r.opaqueVar(4294967295),
    results: r.opaqueVar(4294967295),
  };
}
export function encode_rpcb_rmtcallres(w: XdrWriter, v: rpcb_rmtcallres): void {
  w.string(v.addr, 4294967295);
  w.opaqueVar(v.results, 4294967295);
}

export const NC_TPI_CLTS = 1;

export const NC_TPI_COTS = 2;

export const NC_TPI_COTS_ORD = 3;

export const NC_TPI_RAW = 4;

export interface rpcb_entry {
  r_maddr: Buffer;
  r_nc_netid: Buffer;
  r_nc_semantics: number;
  r_nc_protofmly: Buffer;
  r_nc_proto: Buffer;
}
export function decode_rpcb_entry(r: XdrReader): rpcb_entry {
  return {
    r_maddr: r.opaqueVar(4294967295),
    r_nc_netid: r.opaqueVar(4294967295),
    r_nc_semantics: r.uint32(),
    r_nc_protofmly: r.opaqueVar(4294967295),
    r_nc_proto: r.opaqueVar(4294967295),
  };
}
export function encode_rpcb_entry(w: XdrWriter, v: rpcb_entry): void {
  w.string(v.r_maddr, 4294967295);
  w.string(v.r_nc_netid, 4294967295);
  w.uint32(v.r_nc_semantics);
  w.string(v.r_nc_protofmly, 4294967295);
  w.string(v.r_nc_proto, 4294967295);
}

/** A list node: the RFC's `rpcb_entry_next` chain is represented by arrays of rpcb_entry_list. */
export interface rpcb_entry_list {
  rpcb_entry_map: rpcb_entry;
}
export function decode_rpcb_entry_list(r: XdrReader): rpcb_entry_list {
  return {
    rpcb_entry_map: decode_rpcb_entry(r),
  };
}
export function encode_rpcb_entry_list(w: XdrWriter, v: rpcb_entry_list): void {
  encode_rpcb_entry(w, v.rpcb_entry_map);
}

export type rpcb_entry_list_ptr = rpcb_entry_list[];
export function decode_rpcb_entry_list_ptr(r: XdrReader): rpcb_entry_list_ptr {
  return readList(r, decode_rpcb_entry_list);
}
export function encode_rpcb_entry_list_ptr(w: XdrWriter, v: rpcb_entry_list_ptr): void {
  writeList(w, v, encode_rpcb_entry_list);
}

export const rpcb_highproc_2 = 5;

export const rpcb_highproc_3 = 8;

export const rpcb_highproc_4 = 12;

export const RPCBSTAT_HIGHPROC = 13;

export const RPCBVERS_STAT = 3;

export const RPCBVERS_4_STAT = 2;

export const RPCBVERS_3_STAT = 1;

export const RPCBVERS_2_STAT = 0;

/** A list node: the RFC's `next` chain is represented by arrays of rpcbs_addrlist. */
export interface rpcbs_addrlist {
  prog: number;
  vers: number;
  success: number;
  failure: number;
  netid: Buffer;
}
export function decode_rpcbs_addrlist(r: XdrReader): rpcbs_addrlist {
  return {
    prog: r.uint32(),
    vers: r.uint32(),
    success: r.int32(),
    failure: r.int32(),
    netid: r.opaqueVar(4294967295),
  };
}
export function encode_rpcbs_addrlist(w: XdrWriter, v: rpcbs_addrlist): void {
  w.uint32(v.prog);
  w.uint32(v.vers);
  w.int32(v.success);
  w.int32(v.failure);
  w.string(v.netid, 4294967295);
}

/** A list node: the RFC's `next` chain is represented by arrays of rpcbs_rmtcalllist. */
export interface rpcbs_rmtcalllist {
  prog: number;
  vers: number;
  proc: number;
  success: number;
  failure: number;
  indirect: number;
  netid: Buffer;
}
export function decode_rpcbs_rmtcalllist(r: XdrReader): rpcbs_rmtcalllist {
  return {
    prog: r.uint32(),
    vers: r.uint32(),
    proc: r.uint32(),
    success: r.int32(),
    failure: r.int32(),
    indirect: r.int32(),
    netid: r.opaqueVar(4294967295),
  };
}
export function encode_rpcbs_rmtcalllist(w: XdrWriter, v: rpcbs_rmtcalllist): void {
  w.uint32(v.prog);
  w.uint32(v.vers);
  w.uint32(v.proc);
  w.int32(v.success);
  w.int32(v.failure);
  w.int32(v.indirect);
  w.string(v.netid, 4294967295);
}

export type rpcbs_proc = number[];
export function decode_rpcbs_proc(r: XdrReader): rpcbs_proc {
  return readFixedArray(r, 13, (r) => r.int32());
}
export function encode_rpcbs_proc(w: XdrWriter, v: rpcbs_proc): void {
  writeFixedArray(w, v, 13, (w, x) => w.int32(x));
}

export type rpcbs_addrlist_ptr = rpcbs_addrlist[];
export function decode_rpcbs_addrlist_ptr(r: XdrReader): rpcbs_addrlist_ptr {
  return readList(r, decode_rpcbs_addrlist);
}
export function encode_rpcbs_addrlist_ptr(w: XdrWriter, v: rpcbs_addrlist_ptr): void {
  writeList(w, v, encode_rpcbs_addrlist);
}

export type rpcbs_rmtcalllist_ptr = rpcbs_rmtcalllist[];
export function decode_rpcbs_rmtcalllist_ptr(r: XdrReader): rpcbs_rmtcalllist_ptr {
  return readList(r, decode_rpcbs_rmtcalllist);
}
export function encode_rpcbs_rmtcalllist_ptr(w: XdrWriter, v: rpcbs_rmtcalllist_ptr): void {
  writeList(w, v, encode_rpcbs_rmtcalllist);
}

export interface rpcb_stat {
  info: rpcbs_proc;
  setinfo: number;
  unsetinfo: number;
  addrinfo: rpcbs_addrlist_ptr;
  rmtinfo: rpcbs_rmtcalllist_ptr;
}
export function decode_rpcb_stat(r: XdrReader): rpcb_stat {
  return {
    info: decode_rpcbs_proc(r),
    setinfo: r.int32(),
    unsetinfo: r.int32(),
    addrinfo: decode_rpcbs_addrlist_ptr(r),
    rmtinfo: decode_rpcbs_rmtcalllist_ptr(r),
  };
}
export function encode_rpcb_stat(w: XdrWriter, v: rpcb_stat): void {
  encode_rpcbs_proc(w, v.info);
  w.int32(v.setinfo);
  w.int32(v.unsetinfo);
  encode_rpcbs_addrlist_ptr(w, v.addrinfo);
  encode_rpcbs_rmtcalllist_ptr(w, v.rmtinfo);
}

export type rpcb_stat_byvers = rpcb_stat[];
export function decode_rpcb_stat_byvers(r: XdrReader): rpcb_stat_byvers {
  return readFixedArray(r, 3, (r) => decode_rpcb_stat(r));
}
export function encode_rpcb_stat_byvers(w: XdrWriter, v: rpcb_stat_byvers): void {
  writeFixedArray(w, v, 3, (w, x) => encode_rpcb_stat(w, x));
}

export interface netbuf {
  maxlen: number;
  buf: Buffer;
}
export function decode_netbuf(r: XdrReader): netbuf {
  return {
    maxlen: r.uint32(),
    buf: r.opaqueVar(4294967295),
  };
}
export function encode_netbuf(w: XdrWriter, v: netbuf): void {
  w.uint32(v.maxlen);
  w.opaqueVar(v.buf, 4294967295);
}

export const PMAP_PROG = 100000;
export const PMAP_VERS = 2;
export const PMAPPROC_NULL = 0;
export const PMAPPROC_SET = 1;
export const PMAPPROC_UNSET = 2;
export const PMAPPROC_GETPORT = 3;
export const PMAPPROC_DUMP = 4;
export const PMAPPROC_CALLIT = 5;
/** Procedures of PMAP_PROG version PMAP_VERS, by name. */
export const PMAP_VERS_PROCEDURES = {
  PMAPPROC_NULL: {
    proc: 0,
    name: 'PMAPPROC_NULL',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<undefined, undefined> as ProcedureCodec<undefined, undefined>,
  PMAPPROC_SET: {
    proc: 1,
    name: 'PMAPPROC_SET',
    decodeArgs: decode_mapping,
    encodeArgs: encode_mapping,
    decodeRes: (r: XdrReader) => r.bool(),
    encodeRes: (w: XdrWriter, v: boolean) => { w.bool(v); },
  } satisfies ProcedureCodec<mapping, boolean> as ProcedureCodec<mapping, boolean>,
  PMAPPROC_UNSET: {
    proc: 2,
    name: 'PMAPPROC_UNSET',
    decodeArgs: decode_mapping,
    encodeArgs: encode_mapping,
    decodeRes: (r: XdrReader) => r.bool(),
    encodeRes: (w: XdrWriter, v: boolean) => { w.bool(v); },
  } satisfies ProcedureCodec<mapping, boolean> as ProcedureCodec<mapping, boolean>,
  PMAPPROC_GETPORT: {
    proc: 3,
    name: 'PMAPPROC_GETPORT',
    decodeArgs: decode_mapping,
    encodeArgs: encode_mapping,
    decodeRes: (r: XdrReader) => r.uint32(),
    encodeRes: (w: XdrWriter, v: number) => { w.uint32(v); },
  } satisfies ProcedureCodec<mapping, number> as ProcedureCodec<mapping, number>,
  PMAPPROC_DUMP: {
    proc: 4,
    name: 'PMAPPROC_DUMP',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decode_pmaplist_ptr,
    encodeRes: encode_pmaplist_ptr,
  } satisfies ProcedureCodec<undefined, pmaplist_ptr> as ProcedureCodec<undefined, pmaplist_ptr>,
  PMAPPROC_CALLIT: {
    proc: 5,
    name: 'PMAPPROC_CALLIT',
    decodeArgs: decode_call_args,
    encodeArgs: encode_call_args,
    decodeRes: decode_call_result,
    encodeRes: encode_call_result,
  } satisfies ProcedureCodec<call_args, call_result> as ProcedureCodec<call_args, call_result>,
} as const;

export const RPCBPROG = 100000;
export const RPCBVERS = 3;
export const RPCBPROC_NULL = 0;
export const RPCBPROC_SET = 1;
export const RPCBPROC_UNSET = 2;
export const RPCBPROC_GETADDR = 3;
export const RPCBPROC_DUMP = 4;
export const RPCBPROC_CALLIT = 5;
export const RPCBPROC_GETTIME = 6;
export const RPCBPROC_UADDR2TADDR = 7;
export const RPCBPROC_TADDR2UADDR = 8;
/** Procedures of RPCBPROG version RPCBVERS, by name. */
export const RPCBVERS_PROCEDURES = {
  RPCBPROC_NULL: {
    proc: 0,
    name: 'RPCBPROC_NULL',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<undefined, undefined> as ProcedureCodec<undefined, undefined>,
  RPCBPROC_SET: {
    proc: 1,
    name: 'RPCBPROC_SET',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.bool(),
    encodeRes: (w: XdrWriter, v: boolean) => { w.bool(v); },
  } satisfies ProcedureCodec<rpcb, boolean> as ProcedureCodec<rpcb, boolean>,
  RPCBPROC_UNSET: {
    proc: 2,
    name: 'RPCBPROC_UNSET',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.bool(),
    encodeRes: (w: XdrWriter, v: boolean) => { w.bool(v); },
  } satisfies ProcedureCodec<rpcb, boolean> as ProcedureCodec<rpcb, boolean>,
  RPCBPROC_GETADDR: {
    proc: 3,
    name: 'RPCBPROC_GETADDR',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeRes: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
  } satisfies ProcedureCodec<rpcb, rpcb_uaddr> as ProcedureCodec<rpcb, rpcb_uaddr>,
  RPCBPROC_DUMP: {
    proc: 4,
    name: 'RPCBPROC_DUMP',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decode_rpcblist_ptr,
    encodeRes: encode_rpcblist_ptr,
  } satisfies ProcedureCodec<undefined, rpcblist_ptr> as ProcedureCodec<undefined, rpcblist_ptr>,
  RPCBPROC_CALLIT: {
    proc: 5,
    name: 'RPCBPROC_CALLIT',
    decodeArgs: decode_rpcb_rmtcallargs,
    encodeArgs: encode_rpcb_rmtcallargs,
    decodeRes: decode_rpcb_rmtcallres,
    encodeRes: encode_rpcb_rmtcallres,
  } satisfies ProcedureCodec<rpcb_rmtcallargs, rpcb_rmtcallres> as ProcedureCodec<rpcb_rmtcallargs, rpcb_rmtcallres>,
  RPCBPROC_GETTIME: {
    proc: 6,
    name: 'RPCBPROC_GETTIME',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: (r: XdrReader) => r.uint32(),
    encodeRes: (w: XdrWriter, v: number) => { w.uint32(v); },
  } satisfies ProcedureCodec<undefined, number> as ProcedureCodec<undefined, number>,
  RPCBPROC_UADDR2TADDR: {
    proc: 7,
    name: 'RPCBPROC_UADDR2TADDR',
    decodeArgs: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeArgs: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
    decodeRes: decode_netbuf,
    encodeRes: encode_netbuf,
  } satisfies ProcedureCodec<rpcb_uaddr, netbuf> as ProcedureCodec<rpcb_uaddr, netbuf>,
  RPCBPROC_TADDR2UADDR: {
    proc: 8,
    name: 'RPCBPROC_TADDR2UADDR',
    decodeArgs: decode_netbuf,
    encodeArgs: encode_netbuf,
    decodeRes: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeRes: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
  } satisfies ProcedureCodec<netbuf, rpcb_uaddr> as ProcedureCodec<netbuf, rpcb_uaddr>,
} as const;

export const RPCBVERS4 = 4;
export const RPCBPROC_BCAST = 5;
export const RPCBPROC_GETVERSADDR = 9;
export const RPCBPROC_INDIRECT = 10;
export const RPCBPROC_GETADDRLIST = 11;
export const RPCBPROC_GETSTAT = 12;
/** Procedures of RPCBPROG version RPCBVERS4, by name. */
export const RPCBVERS4_PROCEDURES = {
  RPCBPROC_NULL: {
    proc: 0,
    name: 'RPCBPROC_NULL',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decodeVoid,
    encodeRes: encodeVoid,
  } satisfies ProcedureCodec<undefined, undefined> as ProcedureCodec<undefined, undefined>,
  RPCBPROC_SET: {
    proc: 1,
    name: 'RPCBPROC_SET',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.bool(),
    encodeRes: (w: XdrWriter, v: boolean) => { w.bool(v); },
  } satisfies ProcedureCodec<rpcb, boolean> as ProcedureCodec<rpcb, boolean>,
  RPCBPROC_UNSET: {
    proc: 2,
    name: 'RPCBPROC_UNSET',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.bool(),
    encodeRes: (w: XdrWriter, v: boolean) => { w.bool(v); },
  } satisfies ProcedureCodec<rpcb, boolean> as ProcedureCodec<rpcb, boolean>,
  RPCBPROC_GETADDR: {
    proc: 3,
    name: 'RPCBPROC_GETADDR',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeRes: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
  } satisfies ProcedureCodec<rpcb, rpcb_uaddr> as ProcedureCodec<rpcb, rpcb_uaddr>,
  RPCBPROC_DUMP: {
    proc: 4,
    name: 'RPCBPROC_DUMP',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decode_rpcblist_ptr,
    encodeRes: encode_rpcblist_ptr,
  } satisfies ProcedureCodec<undefined, rpcblist_ptr> as ProcedureCodec<undefined, rpcblist_ptr>,
  RPCBPROC_BCAST: {
    proc: 5,
    name: 'RPCBPROC_BCAST',
    decodeArgs: decode_rpcb_rmtcallargs,
    encodeArgs: encode_rpcb_rmtcallargs,
    decodeRes: decode_rpcb_rmtcallres,
    encodeRes: encode_rpcb_rmtcallres,
  } satisfies ProcedureCodec<rpcb_rmtcallargs, rpcb_rmtcallres> as ProcedureCodec<rpcb_rmtcallargs, rpcb_rmtcallres>,
  RPCBPROC_GETTIME: {
    proc: 6,
    name: 'RPCBPROC_GETTIME',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: (r: XdrReader) => r.uint32(),
    encodeRes: (w: XdrWriter, v: number) => { w.uint32(v); },
  } satisfies ProcedureCodec<undefined, number> as ProcedureCodec<undefined, number>,
  RPCBPROC_UADDR2TADDR: {
    proc: 7,
    name: 'RPCBPROC_UADDR2TADDR',
    decodeArgs: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeArgs: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
    decodeRes: decode_netbuf,
    encodeRes: encode_netbuf,
  } satisfies ProcedureCodec<rpcb_uaddr, netbuf> as ProcedureCodec<rpcb_uaddr, netbuf>,
  RPCBPROC_TADDR2UADDR: {
    proc: 8,
    name: 'RPCBPROC_TADDR2UADDR',
    decodeArgs: decode_netbuf,
    encodeArgs: encode_netbuf,
    decodeRes: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeRes: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
  } satisfies ProcedureCodec<netbuf, rpcb_uaddr> as ProcedureCodec<netbuf, rpcb_uaddr>,
  RPCBPROC_GETVERSADDR: {
    proc: 9,
    name: 'RPCBPROC_GETVERSADDR',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: (r: XdrReader) => r.opaqueVar(4294967295),
    encodeRes: (w: XdrWriter, v: rpcb_uaddr) => { w.string(v, 4294967295); },
  } satisfies ProcedureCodec<rpcb, rpcb_uaddr> as ProcedureCodec<rpcb, rpcb_uaddr>,
  RPCBPROC_INDIRECT: {
    proc: 10,
    name: 'RPCBPROC_INDIRECT',
    decodeArgs: decode_rpcb_rmtcallargs,
    encodeArgs: encode_rpcb_rmtcallargs,
    decodeRes: decode_rpcb_rmtcallres,
    encodeRes: encode_rpcb_rmtcallres,
  } satisfies ProcedureCodec<rpcb_rmtcallargs, rpcb_rmtcallres> as ProcedureCodec<rpcb_rmtcallargs, rpcb_rmtcallres>,
  RPCBPROC_GETADDRLIST: {
    proc: 11,
    name: 'RPCBPROC_GETADDRLIST',
    decodeArgs: decode_rpcb,
    encodeArgs: encode_rpcb,
    decodeRes: decode_rpcb_entry_list_ptr,
    encodeRes: encode_rpcb_entry_list_ptr,
  } satisfies ProcedureCodec<rpcb, rpcb_entry_list_ptr> as ProcedureCodec<rpcb, rpcb_entry_list_ptr>,
  RPCBPROC_GETSTAT: {
    proc: 12,
    name: 'RPCBPROC_GETSTAT',
    decodeArgs: decodeVoid,
    encodeArgs: encodeVoid,
    decodeRes: decode_rpcb_stat_byvers,
    encodeRes: encode_rpcb_stat_byvers,
  } satisfies ProcedureCodec<undefined, rpcb_stat_byvers> as ProcedureCodec<undefined, rpcb_stat_byvers>,
} as const;
