import type { XdrWriter } from '../xdr/writer.js';
import { RPC_VERSION } from './call-header.js';

const MSG_TYPE_REPLY = 1;
const MSG_ACCEPTED = 0;
const MSG_DENIED = 1;
const AUTH_NONE = 0;
const ACCEPT_STAT = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
};
const REJECT_STAT = { RPC_MISMATCH: 0, AUTH_ERROR: 1 };

/** Every reply other than SUCCESS, named as in RFC 5531 section 9. */
export type ReplyError =
  | { stat: 'PROG_UNAVAIL' | 'PROC_UNAVAIL' | 'GARBAGE_ARGS' | 'SYSTEM_ERR' }
  | { stat: 'PROG_MISMATCH'; low: number; high: number }
  | { stat: 'RPC_MISMATCH' }
  | { stat: 'AUTH_ERROR'; why: number };

/** xid, REPLY, MSG_ACCEPTED, an AUTH_NONE verifier and SUCCESS: the procedure's results come next. */
export function writeSuccessHeader(w: XdrWriter, xid: number): void {
  writeAcceptedHeader(w, xid, ACCEPT_STAT.SUCCESS);
}

function writeAcceptedHeader(w: XdrWriter, xid: number, acceptStat: number): void {
  w.uint32(xid);
  w.uint32(MSG_TYPE_REPLY);
  w.uint32(MSG_ACCEPTED);
  w.uint32(AUTH_NONE);
  w.uint32(0);
  w.uint32(acceptStat);
}

export function encodeErrorReply(w: XdrWriter, xid: number, e: ReplyError): Buffer[] {
  switch (e.stat) {
    case 'RPC_MISMATCH':
      writeDeniedHeader(w, xid, REJECT_STAT.RPC_MISMATCH);
      w.uint32(RPC_VERSION);
      w.uint32(RPC_VERSION);
      break;
    case 'AUTH_ERROR':
      writeDeniedHeader(w, xid, REJECT_STAT.AUTH_ERROR);
      w.uint32(e.why);
      break;
    case 'PROG_MISMATCH':
      writeAcceptedHeader(w, xid, ACCEPT_STAT.PROG_MISMATCH);
      w.uint32(e.low);
      w.uint32(e.high);
      break;
    default:
      writeAcceptedHeader(w, xid, ACCEPT_STAT[e.stat]);
  }
  return w.finish();
}

function writeDeniedHeader(w: XdrWriter, xid: number, rejectStat: number): void {
  w.uint32(xid);
  w.uint32(MSG_TYPE_REPLY);
  w.uint32(MSG_DENIED);
  w.uint32(rejectStat);
}
