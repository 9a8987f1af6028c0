import net from 'node:net';
import { RecordDecoder, recordMark } from '../../src/rpc/record-marking.js';
import type { ProcedureCodec } from '../../src/xdr/codec.js';
import { decode_reply_body, encode_authsys_parms } from '../../src/xdr/generated/rpc.js';
import { XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import type { Credentials } from './nfs3-client.js';

const RPC_VERSION = 2;
const MSG_CALL = 0;
const AUTH_SYS = 1;

/**
 * A bare ONC RPC caller over one TCP connection that lets the test choose the xid, so the same call can
 * be sent twice exactly as a client retransmits it (same connection, same xid, same bytes).
 */
export class FixedXidCaller {
  private readonly decoder = new RecordDecoder();
  private readonly waiting = new Map<number, ((record: Buffer) => void)[]>();

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (;;) {
        const next = this.decoder.next();
        if (next.kind !== 'record') return;
        const xid = next.record.readUInt32BE(0);
        this.waiting.get(xid)?.shift()?.(next.record);
      }
    });
    socket.on('error', () => {});
  }

  /** Connects from a reserved source port (we run as root) so `secure` exports accept the calls. */
  static async connect(port: number, host = '127.0.0.1'): Promise<FixedXidCaller> {
    for (let localPort = 1023; localPort >= 600; localPort--) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host, port, localPort });
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        socket.setNoDelay(true);
        return new FixedXidCaller(socket);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw e;
      }
    }
    throw new Error('no free reserved port');
  }

  /** Sends one call with the given xid; resolves to the decoded results once its reply arrives. */
  call<A, R>(
    xid: number,
    prog: number,
    vers: number,
    codec: ProcedureCodec<A, R>,
    args: A,
    cred: Credentials,
  ): Promise<R> {
    const w = new XdrWriter(64 * 1024);
    w.uint32(xid);
    w.uint32(MSG_CALL);
    w.uint32(RPC_VERSION);
    w.uint32(prog);
    w.uint32(vers);
    w.uint32(codec.proc);
    w.uint32(AUTH_SYS);
    const body = new XdrWriter(1024);
    encode_authsys_parms(body, {
      stamp: 0,
      machinename: Buffer.from('nfsgate-test'),
      uid: cred.uid,
      gid: cred.gid,
      gids: [...(cred.gids ?? [])],
    });
    w.opaqueVar(body.finishConcat(), 400);
    w.uint32(0);
    w.uint32(0);
    codec.encodeArgs(w, args);
    const message = w.finishConcat();
    return new Promise<R>((resolve, reject) => {
      const queue = this.waiting.get(xid) ?? [];
      this.waiting.set(xid, queue);
      queue.push((record) => {
        try {
          const r = new XdrReader(record, 8);
          const reply = decode_reply_body(r);
          if (reply.stat !== 0 || reply.areply.reply_data.stat !== 0)
            throw new Error(`xid ${xid}: call not accepted and executed`);
          resolve(codec.decodeRes(r));
        } catch (e) {
          reject(e);
        }
      });
      this.socket.write(Buffer.concat([recordMark(message.length), message]));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}
