import net from 'node:net';
import { RecordDecoder } from '../../../src/rpc/record-marking.js';
import { XdrWriter } from '../../../src/xdr/writer.js';

export interface RawCall {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  rpcvers?: number;
  cred?: { flavor: number; body: Buffer };
  verf?: { flavor: number; body: Buffer };
  args?: Buffer;
}

/** An RPC CALL message built field by field, so tests can break any of them. */
export function encodeCall(c: RawCall): Buffer {
  const w = new XdrWriter(4096);
  w.uint32(c.xid);
  w.uint32(0);
  w.uint32(c.rpcvers ?? 2);
  w.uint32(c.prog);
  w.uint32(c.vers);
  w.uint32(c.proc);
  const cred = c.cred ?? { flavor: 0, body: Buffer.alloc(0) };
  w.uint32(cred.flavor);
  w.opaqueVar(cred.body, 1 << 20);
  const verf = c.verf ?? { flavor: 0, body: Buffer.alloc(0) };
  w.uint32(verf.flavor);
  w.opaqueVar(verf.body, 1 << 20);
  const out = Buffer.from(w.finishConcat());
  return c.args ? Buffer.concat([out, c.args]) : out;
}

export function authSysBody(p: {
  stamp?: number;
  machinename: string;
  uid: number;
  gid: number;
  gids: number[];
}): Buffer {
  const w = new XdrWriter(4096);
  w.uint32(p.stamp ?? 0);
  w.opaqueVar(Buffer.from(p.machinename), 1 << 20);
  w.uint32(p.uid);
  w.uint32(p.gid);
  w.uint32(p.gids.length);
  for (const g of p.gids) w.uint32(g);
  return Buffer.from(w.finishConcat());
}

export function opaqueArg(data: Buffer): Buffer {
  const w = new XdrWriter(4096);
  w.opaqueVar(data, 1 << 30);
  return Buffer.from(w.finishConcat());
}

export function uintArg(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/** A message as one record of the given fragment sizes (the last takes the rest). */
export function framed(message: Buffer, fragmentSizes: number[] = []): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of fragmentSizes) {
    parts.push(fragmentHeader(size, false), message.subarray(at, at + size));
    at += size;
  }
  parts.push(fragmentHeader(message.length - at, true), message.subarray(at));
  return Buffer.concat(parts);
}

export function fragmentHeader(length: number, last: boolean): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(((last ? 0x80000000 : 0) | length) >>> 0);
  return h;
}

/** A bare TCP connection that sends bytes as given and collects reply records. */
export class RawConnection {
  readonly replies: Buffer[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    const decoder = new RecordDecoder(1 << 24);
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let next = decoder.next(); next.kind === 'record'; next = decoder.next())
        this.replies.push(next.record);
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves once `n` replies have arrived in total, or rejects when the connection closes first. */
  async waitForReplies(n: number, timeoutMs = 5000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n) {
      if (this.isClosed) throw new Error(`connection closed after ${this.replies.length} of ${n} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${this.replies.length} of ${n} replies`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies.slice(0, n);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
