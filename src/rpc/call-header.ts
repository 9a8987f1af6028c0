import { XdrError } from '../xdr/errors.js';
import { decode_authsys_parms } from '../xdr/generated/rpc.js';
import { XdrReader } from '../xdr/reader.js';
import type { Auth } from './types.js';

export const RPC_VERSION = 2;
const MSG_TYPE_CALL = 0;
const AUTH_NONE = 0;
const AUTH_SYS = 1;
const AUTH_SHORT = 2;
const MAX_AUTH_BODY = 400;

/** auth_stat values this module can produce (RFC 5531 section 9). */
export const AUTH_BADCRED = 1;
export const AUTH_REJECTEDCRED = 2;
export const AUTH_BADVERF = 3;
export type HeaderAuthStat = typeof AUTH_BADCRED | typeof AUTH_REJECTEDCRED | typeof AUTH_BADVERF;

/**
 * The call header read by hand rather than with the generated rpc_msg decoder: that decoder refuses
 * unknown auth flavors and reads everything before it reports anything, while a server must answer a
 * call with an unsupported flavor, and learns the xid first so that most broken calls still get a reply.
 */
export type CallHeader =
  /** No xid, not a CALL, or cut off before the credential: nothing can be answered. */
  | { kind: 'unanswerable'; reason: string }
  | { kind: 'rpc-mismatch'; xid: number }
  | { kind: 'auth-error'; xid: number; why: HeaderAuthStat }
  | { kind: 'call'; xid: number; prog: number; vers: number; proc: number; auth: Auth; argsOffset: number };

export function parseCallHeader(record: Buffer): CallHeader {
  if (record.length < 8) return { kind: 'unanswerable', reason: 'shorter than an RPC message header' };
  const xid = record.readUInt32BE(0);
  if (record.readUInt32BE(4) !== MSG_TYPE_CALL) return { kind: 'unanswerable', reason: 'not a CALL message' };
  if (record.length < 12) return { kind: 'unanswerable', reason: 'truncated call header' };
  if (record.readUInt32BE(8) !== RPC_VERSION) return { kind: 'rpc-mismatch', xid };
  if (record.length < 24) return { kind: 'unanswerable', reason: 'truncated call header' };
  const prog = record.readUInt32BE(12);
  const vers = record.readUInt32BE(16);
  const proc = record.readUInt32BE(20);

  const r = new XdrReader(record, 24);
  const cred = readOpaqueAuth(r);
  if (cred === undefined) return { kind: 'auth-error', xid, why: AUTH_BADCRED };
  const verf = readOpaqueAuth(r);
  if (verf === undefined) return { kind: 'auth-error', xid, why: AUTH_BADVERF };

  const auth = verifyCredential(cred.flavor, cred.body);
  if (typeof auth === 'number') return { kind: 'auth-error', xid, why: auth };
  // AUTH_NONE and AUTH_SYS both travel with an AUTH_NONE verifier (RFC 5531 section 10.1, appendix A).
  if (verf.flavor !== AUTH_NONE || verf.body.length !== 0)
    return { kind: 'auth-error', xid, why: AUTH_BADVERF };
  return { kind: 'call', xid, prog, vers, proc, auth, argsOffset: r.pos };
}

function readOpaqueAuth(r: XdrReader): { flavor: number; body: Buffer } | undefined {
  try {
    const flavor = r.uint32();
    return { flavor, body: r.opaqueVar(MAX_AUTH_BODY) };
  } catch (e) {
    if (e instanceof XdrError) return undefined;
    throw e;
  }
}

/**
 * Unsupported flavors get AUTH_BADCRED, as the Linux server does: AUTH_REJECTEDCRED means "client must
 * begin new session" (RFC 5531 section 9), which only makes sense for a flavor with sessions. The exception
 * is AUTH_SHORT, whose shorthand RFC 5531 appendix A lets a server refuse with AUTH_REJECTEDCRED so the
 * client falls back to its full AUTH_SYS credential.
 */
function verifyCredential(flavor: number, body: Buffer): Auth | HeaderAuthStat {
  if (flavor === AUTH_NONE) return body.length === 0 ? { flavor: 0 } : AUTH_BADCRED;
  if (flavor === AUTH_SHORT) return AUTH_REJECTEDCRED;
  if (flavor !== AUTH_SYS) return AUTH_BADCRED;
  try {
    const r = new XdrReader(body);
    const p = decode_authsys_parms(r);
    if (r.remaining !== 0) return AUTH_BADCRED;
    // Copied: the credential may outlive the request buffer it arrived in (mount lists keep it).
    return {
      flavor: 1,
      stamp: p.stamp,
      machinename: Buffer.from(p.machinename),
      uid: p.uid,
      gid: p.gid,
      gids: p.gids,
    };
  } catch (e) {
    if (e instanceof XdrError) return AUTH_BADCRED;
    throw e;
  }
}
