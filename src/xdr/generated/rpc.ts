// Generated from xdr/rpc.x by the nfsgate XDR generator (npm run gen). Do not edit.
import { type XdrReader, type XdrWriter, XdrError, readVarArray, writeVarArray } from '../index.js';

export const auth_flavor = {
  AUTH_NONE: 0,
  AUTH_SYS: 1,
  AUTH_SHORT: 2,
  AUTH_DH: 3,
  RPCSEC_GSS: 6,
} as const;
export type auth_flavor = (typeof auth_flavor)[keyof typeof auth_flavor];
const auth_flavor_values: ReadonlySet<number> = new Set(Object.values(auth_flavor));
export function decode_auth_flavor(r: XdrReader): auth_flavor {
  const v = r.int32();
  if (!auth_flavor_values.has(v)) throw new XdrError(`bad auth_flavor value ${v}`);
  return v as auth_flavor;
}
export function encode_auth_flavor(w: XdrWriter, v: auth_flavor): void {
  w.int32(v);
}

export interface opaque_auth {
  flavor: auth_flavor;
  body: Buffer;
}
export function decode_opaque_auth(r: XdrReader): opaque_auth {
  return {
    flavor: decode_auth_flavor(r),
    body: r.opaqueVar(400),
  };
}
export function encode_opaque_auth(w: XdrWriter, v: opaque_auth): void {
  encode_auth_flavor(w, v.flavor);
  w.opaqueVar(v.body, 400);
}

export const msg_type = {
  CALL: 0,
  REPLY: 1,
} as const;
export type msg_type = (typeof msg_type)[keyof typeof msg_type];
const msg_type_values: ReadonlySet<number> = new Set(Object.values(msg_type));
export function decode_msg_type(r: XdrReader): msg_type {
  const v = r.int32();
  if (!msg_type_values.has(v)) throw new XdrError(`bad msg_type value ${v}`);
  return v as msg_type;
}
export function encode_msg_type(w: XdrWriter, v: msg_type): void {
  w.int32(v);
}

export const reply_stat = {
  MSG_ACCEPTED: 0,
  MSG_DENIED: 1,
} as const;
export type reply_stat = (typeof reply_stat)[keyof typeof reply_stat];
const reply_stat_values: ReadonlySet<number> = new Set(Object.values(reply_stat));
export function decode_reply_stat(r: XdrReader): reply_stat {
  const v = r.int32();
  if (!reply_stat_values.has(v)) throw new XdrError(`bad reply_stat value ${v}`);
  return v as reply_stat;
}
export function encode_reply_stat(w: XdrWriter, v: reply_stat): void {
  w.int32(v);
}

export const accept_stat = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
} as const;
export type accept_stat = (typeof accept_stat)[keyof typeof accept_stat];
const accept_stat_values: ReadonlySet<number> = new Set(Object.values(accept_stat));
export function decode_accept_stat(r: XdrReader): accept_stat {
  const v = r.int32();
  if (!accept_stat_values.has(v)) throw new XdrError(`bad accept_stat value ${v}`);
  return v as accept_stat;
}
export function encode_accept_stat(w: XdrWriter, v: accept_stat): void {
  w.int32(v);
}

export const reject_stat = {
  RPC_MISMATCH: 0,
  AUTH_ERROR: 1,
} as const;
export type reject_stat = (typeof reject_stat)[keyof typeof reject_stat];
const reject_stat_values: ReadonlySet<number> = new Set(Object.values(reject_stat));
export function decode_reject_stat(r: XdrReader): reject_stat {
  const v = r.int32();
  if (!reject_stat_values.has(v)) throw new XdrError(`bad reject_stat value ${v}`);
  return v as reject_stat;
}
export function encode_reject_stat(w: XdrWriter, v: reject_stat): void {
  w.int32(v);
}

export const auth_stat = {
  AUTH_OK: 0,
  AUTH_BADCRED: 1,
  AUTH_REJECTEDCRED: 2,
  AUTH_BADVERF: 3,
  AUTH_REJECTEDVERF: 4,
  AUTH_TOOWEAK: 5,
  AUTH_INVALIDRESP: 6,
  AUTH_FAILED: 7,
  AUTH_KERB_GENERIC: 8,
  AUTH_TIMEEXPIRE: 9,
  AUTH_TKT_FILE: 10,
  AUTH_DECODE: 11,
  AUTH_NET_ADDR: 12,
  RPCSEC_GSS_CREDPROBLEM: 13,
  RPCSEC_GSS_CTXPROBLEM: 14,
} as const;
export type auth_stat = (typeof auth_stat)[keyof typeof auth_stat];
const auth_stat_values: ReadonlySet<number> = new Set(Object.values(auth_stat));
export function decode_auth_stat(r: XdrReader): auth_stat {
  const v = r.int32();
  if (!auth_stat_values.has(v)) throw new XdrError(`bad auth_stat value ${v}`);
  return v as auth_stat;
}
export function encode_auth_stat(w: XdrWriter, v: auth_stat): void {
  w.int32(v);
}

export interface mismatch_info {
  low: number;
  high: number;
}
export function decode_mismatch_info(r: XdrReader): mismatch_info {
  return {
    low: r.uint32(),
    high: r.uint32(),
  };
}
export function encode_mismatch_info(w: XdrWriter, v: mismatch_info): void {
  w.uint32(v.low);
  w.uint32(v.high);
}

export interface call_body {
  rpcvers: number;
  prog: number;
  vers: number;
  proc: number;
  cred: opaque_auth;
  verf: opaque_auth;
}
export function decode_call_body(r: XdrReader): call_body {
  return {
    rpcvers: r.uint32(),
    prog: r.uint32(),
    vers: r.uint32(),
    proc: r.uint32(),
    cred: decode_opaque_auth(r),
    verf: decode_opaque_auth(r),
  };
}
export function encode_call_body(w: XdrWriter, v: call_body): void {
  w.uint32(v.rpcvers);
  w.uint32(v.prog);
  w.uint32(v.vers);
  w.uint32(v.proc);
  encode_opaque_auth(w, v.cred);
  encode_opaque_auth(w, v.verf);
}

export type reply_data =
  | { stat: 0; results: Buffer; }
  | { stat: 2; mismatch_info: mismatch_info; }
  | { stat: Exclude<accept_stat, 0 | 2>; };
export function decode_reply_data(r: XdrReader): reply_data {
  const d = decode_accept_stat(r);
  switch (d) {
    case 0:
      return { stat: d, results: r.opaqueFixed(0) } as reply_data;
    case 2:
      return { stat: d, mismatch_info: decode_mismatch_info(r) } as reply_data;
    default:
      return { stat: d } as reply_data;
  }
}
export function encode_reply_data(w: XdrWriter, v: reply_data): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_accept_stat(w, v.stat);
  switch (v.stat) {
    case 0: w.opaqueFixed(u.results, 0); return;
    case 2: encode_mismatch_info(w, u.mismatch_info); return;
    default:
      return;
  }
}

export interface accepted_reply {
  verf: opaque_auth;
  reply_data: reply_data;
}
export function decode_accepted_reply(r: XdrReader): accepted_reply {
  return {
    verf: decode_opaque_auth(r),
    reply_data: decode_reply_data(r),
  };
}
export function encode_accepted_reply(w: XdrWriter, v: accepted_reply): void {
  encode_opaque_auth(w, v.verf);
  encode_reply_data(w, v.reply_data);
}

export type rejected_reply =
  | { stat: 0; mismatch_info: mismatch_info; }
  | { stat: 1; why: auth_stat; };
export function decode_rejected_reply(r: XdrReader): rejected_reply {
  const d = decode_reject_stat(r);
  switch (d) {
    case 0:
      return { stat: d, mismatch_info: decode_mismatch_info(r) } as rejected_reply;
    case 1:
      return { stat: d, why: decode_auth_stat(r) } as rejected_reply;
    default:
      throw new XdrError(`bad rejected_reply discriminant ${d}`);
  }
}
export function encode_rejected_reply(w: XdrWriter, v: rejected_reply): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_reject_stat(w, v.stat);
  switch (v.stat) {
    case 0: encode_mismatch_info(w, u.mismatch_info); return;
    case 1: encode_auth_stat(w, u.why); return;
    default:
      throw new RangeError(`bad rejected_reply discriminant ${u.stat}`);
  }
}

export type reply_body =
  | { stat: 0; areply: accepted_reply; }
  | { stat: 1; rreply: rejected_reply; };
export function decode_reply_body(r: XdrReader): reply_body {
  const d = decode_reply_stat(r);
  switch (d) {
    case 0:
      return { stat: d, areply: decode_accepted_reply(r) } as reply_body;
    case 1:
      return { stat: d, rreply: decode_rejected_reply(r) } as reply_body;
    default:
      throw new XdrError(`bad reply_body discriminant ${d}`);
  }
}
export function encode_reply_body(w: XdrWriter, v: reply_body): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_reply_stat(w, v.stat);
  switch (v.stat) {
    case 0: encode_accepted_reply(w, u.areply); return;
    case 1: encode_rejected_reply(w, u.rreply); return;
    default:
      throw new RangeError(`bad reply_body discriminant ${u.stat}`);
  }
}

export type rpc_msg_body =
  | { mtype: 0; cbody: call_body; }
  | { mtype: 1; rbody: reply_body; };
export function decode_rpc_msg_body(r: XdrReader): rpc_msg_body {
  const d = decode_msg_type(r);
  switch (d) {
    case 0:
      return { mtype: d, cbody: decode_call_body(r) } as rpc_msg_body;
    case 1:
      return { mtype: d, rbody: decode_reply_body(r) } as rpc_msg_body;
    default:
      throw new XdrError(`bad rpc_msg_body discriminant ${d}`);
  }
}
export function encode_rpc_msg_body(w: XdrWriter, v: rpc_msg_body): void {
  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below
  const u = v as any;
  encode_msg_type(w, v.mtype);
  switch (v.mtype) {
    case 0: encode_call_body(w, u.cbody); return;
    case 1: encode_reply_body(w, u.rbody); return;
    default:
      throw new RangeError(`bad rpc_msg_body discriminant ${u.mtype}`);
  }
}

export interface rpc_msg {
  xid: number;
  body: rpc_msg_body;
}
export function decode_rpc_msg(r: XdrReader): rpc_msg {
  return {
    xid: r.uint32(),
    body: decode_rpc_msg_body(r),
  };
}
export function encode_rpc_msg(w: XdrWriter, v: rpc_msg): void {
  w.uint32(v.xid);
  encode_rpc_msg_body(w, v.body);
}

export interface authsys_parms {
  stamp: number;
  machinename: Buffer;
  uid: number;
  gid: number;
  gids: number[];
}
export function decode_authsys_parms(r: XdrReader): authsys_parms {
  return {
    stamp: r.uint32(),
    machinename: r.opaqueVar(255),
    uid: r.uint32(),
    gid: r.uint32(),
    gids: readVarArray(r, 16, 4, (r) => r.uint32()),
  };
}
export function encode_authsys_parms(w: XdrWriter, v: authsys_parms): void {
  w.uint32(v.stamp);
  w.string(v.machinename, 255);
  w.uint32(v.uid);
  w.uint32(v.gid);
  writeVarArray(w, v.gids, 16, (w, x) => w.uint32(x));
}
