import { connect, type Socket } from 'node:net';
import { frameRecord, RecordDecoder } from '../rpc/record-marking.js';
import type { ProcedureCodec } from '../xdr/codec.js';
import { decode_rpc_msg, encode_rpc_msg } from '../xdr/generated/rpc.js';
import { XdrReader, XdrWriter } from '../xdr/index.js';

/** Where to reach an RPC server over a stream: a unix socket path, or a TCP address (optionally from a fixed local port). */
export type StreamTarget =
  | { readonly path: string }
  | { readonly host: string; readonly port: number; readonly localPort?: number };

export type StreamCallResult<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: string };

const RPC_VERSION = 2;
const AUTH_NONE = 0;
const MSG_ACCEPTED = 0;
const SUCCESS = 0;

function encodeCall<A>(
  xid: number,
  prog: number,
  vers: number,
  codec: ProcedureCodec<A, unknown>,
  args: A,
): Buffer[] {
  const w = new XdrWriter(4096);
  const none = { flavor: AUTH_NONE, body: Buffer.alloc(0) } as const;
  encode_rpc_msg(w, {
    xid,
    body: { mtype: 0, cbody: { rpcvers: RPC_VERSION, prog, vers, proc: codec.proc, cred: none, verf: none } },
  });
  codec.encodeArgs(w, args);
  return frameRecord(w.finish());
}

function decodeReply<R>(record: Buffer, xid: number, codec: ProcedureCodec<unknown, R>): StreamCallResult<R> {
  const r = new XdrReader(record);
  const msg = decode_rpc_msg(r);
  if (msg.xid !== xid || msg.body.mtype !== 1) return { ok: false, error: 'unexpected message' };
  const body = msg.body.rbody;
  if (body.stat !== MSG_ACCEPTED)
    return { ok: false, error: `call denied (reject_stat ${body.rreply.stat})` };
  const data = body.areply.reply_data;
  if (data.stat !== SUCCESS) return { ok: false, error: `call not accepted (accept_stat ${data.stat})` };
  return { ok: true, value: codec.decodeRes(r) };
}

/**
 * One RPC call over a fresh stream connection, for the few calls made to another local server (the
 * system's rpcbind). Failures are values: the caller decides whether they matter.
 */
export function callOverStream<A, R>(
  target: StreamTarget,
  prog: number,
  vers: number,
  codec: ProcedureCodec<A, R>,
  args: A,
  timeoutMs = 3000,
): Promise<StreamCallResult<R>> {
  const xid = (Math.random() * 0x1_0000_0000) >>> 0;
  return new Promise((resolve) => {
    let socket: Socket;
    try {
      socket =
        'path' in target
          ? connect({ path: target.path })
          : connect({
              host: target.host,
              port: target.port,
              ...(target.localPort !== undefined && { localPort: target.localPort }),
            });
    } catch (err) {
      resolve({ ok: false, error: (err as Error).message });
      return;
    }
    const decoder = new RecordDecoder(64 * 1024);
    let done = false;
    const finish = (result: StreamCallResult<R>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, error: `no reply within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.on('connect', () => {
      for (const part of encodeCall(xid, prog, vers, codec, args)) socket.write(part);
    });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      const next = decoder.next();
      if (next.kind === 'need-more') return;
      if (next.kind !== 'record') return finish({ ok: false, error: `bad reply record (${next.kind})` });
      try {
        finish(decodeReply(next.record, xid, codec as ProcedureCodec<unknown, R>));
      } catch (err) {
        finish({ ok: false, error: `undecodable reply: ${(err as Error).message}` });
      }
    });
    socket.on('error', (err) => finish({ ok: false, error: err.message }));
    socket.on('close', () => finish({ ok: false, error: 'connection closed before a reply' }));
  });
}
