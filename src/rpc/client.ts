import dgram from 'node:dgram';
import net from 'node:net';
import type { ProcedureCodec } from '../xdr/codec.js';
import { XdrError } from '../xdr/errors.js';
import { decode_reply_body, encode_authsys_parms } from '../xdr/generated/rpc.js';
import { XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import { RPC_VERSION } from './call-header.js';
import { DEFAULT_MAX_RECORD_SIZE, RecordDecoder, recordMark } from './record-marking.js';
import type { Auth, TransportKind } from './types.js';

export interface RpcClientOptions {
  host: string;
  port: number;
  transport?: TransportKind;
  auth?: Auth;
  /** Bind a source port below 1024, as kernel NFS clients do, so `secure` exports accept us (needs root). */
  bindPrivileged?: boolean;
  /** TCP only: the local address to connect from (e.g. another loopback address). */
  localAddress?: string;
  /** Default per-call timeout. */
  timeoutMs?: number;
  /** UDP only: how often an unanswered call is sent again with the same xid. */
  retransmitMs?: number;
  maxRecordSize?: number;
}

export interface CallOptions {
  timeoutMs?: number;
  auth?: Auth;
}

/** Why a call produced no result, named after RFC 5531's accept_stat / reject_stat, or a local cause. */
export type RpcFailure =
  | { kind: 'PROG_UNAVAIL' | 'PROC_UNAVAIL' | 'GARBAGE_ARGS' | 'SYSTEM_ERR' }
  | { kind: 'PROG_MISMATCH' | 'RPC_MISMATCH'; low: number; high: number }
  | { kind: 'AUTH_ERROR'; why: number }
  | { kind: 'TIMEOUT' | 'CLOSED' }
  | { kind: 'BAD_REPLY'; detail: string };

export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  constructor(
    readonly failure: RpcFailure,
    readonly xid: number,
  ) {
    super(`RPC call ${xid} failed: ${describe(failure)}`);
  }
}

function describe(f: RpcFailure): string {
  switch (f.kind) {
    case 'PROG_MISMATCH':
    case 'RPC_MISMATCH':
      return `${f.kind} (low ${f.low}, high ${f.high})`;
    case 'AUTH_ERROR':
      return `AUTH_ERROR (auth_stat ${f.why})`;
    case 'BAD_REPLY':
      return `bad reply: ${f.detail}`;
    default:
      return f.kind;
  }
}

interface Pending {
  resolve(results: XdrReader): void;
  reject(e: RpcCallError): void;
  timer: NodeJS.Timeout;
  retransmit?: NodeJS.Timeout;
}

const ACCEPT_FAILURES = { 1: 'PROG_UNAVAIL', 3: 'PROC_UNAVAIL', 4: 'GARBAGE_ARGS', 5: 'SYSTEM_ERR' } as const;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRANSMIT_MS = 1_000;
const LOWEST_RESERVED_PORT = 512;

/** An ONC RPC client over TCP or UDP, with many calls in flight matched by xid. */
export class RpcClient {
  private readonly pending = new Map<number, Pending>();
  private readonly writer = new XdrWriter(64 * 1024);
  private readonly credentials = new Map<Auth, Buffer>();
  private nextXid = (Math.random() * 0x100000000) >>> 0;
  private closedReason: string | undefined;

  private constructor(
    private readonly opts: RpcClientOptions,
    private readonly send: (message: Buffer[]) => void,
    private readonly shutdown: () => Promise<void>,
    readonly localPort: number,
  ) {}

  static async connect(opts: RpcClientOptions): Promise<RpcClient> {
    return (opts.transport ?? 'tcp') === 'tcp' ? connectTcp(opts) : connectUdp(opts);
  }

  /** Calls awaiting a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  async call<A, R>(
    prog: number,
    vers: number,
    codec: ProcedureCodec<A, R>,
    args: A,
    opts?: CallOptions,
  ): Promise<R> {
    const results = await this.exchange(prog, vers, codec.proc, (w) => codec.encodeArgs(w, args), opts);
    try {
      return codec.decodeRes(results);
    } catch (e) {
      if (e instanceof XdrError) throw new RpcCallError({ kind: 'BAD_REPLY', detail: e.message }, 0);
      throw e;
    }
  }

  /** Sends `argBytes` as the arguments verbatim (for broken-argument tests); resolves to the result bytes. */
  async callRaw(
    prog: number,
    vers: number,
    proc: number,
    argBytes: Buffer,
    opts?: CallOptions,
  ): Promise<Buffer> {
    const results = await this.exchange(prog, vers, proc, () => {}, opts, argBytes);
    return results.rest();
  }

  close(): Promise<void> {
    this.fail('closed by caller');
    return this.shutdown();
  }

  private exchange(
    prog: number,
    vers: number,
    proc: number,
    writeArgs: (w: XdrWriter) => void,
    opts: CallOptions | undefined,
    rawArgs?: Buffer,
  ): Promise<XdrReader> {
    const xid = this.nextXid;
    this.nextXid = (this.nextXid + 1) >>> 0;
    if (this.closedReason !== undefined) return Promise.reject(new RpcCallError({ kind: 'CLOSED' }, xid));
    const w = this.writer;
    w.uint32(xid);
    w.uint32(0);
    w.uint32(RPC_VERSION);
    w.uint32(prog);
    w.uint32(vers);
    w.uint32(proc);
    const auth = opts?.auth ?? this.opts.auth ?? { flavor: 0 };
    w.uint32(auth.flavor);
    w.opaqueVar(this.credentialBody(auth), 400);
    w.uint32(0);
    w.uint32(0);
    try {
      writeArgs(w);
    } catch (e) {
      w.finish();
      return Promise.reject(e);
    }
    const message = w.finish();
    // Raw arguments go out exactly as given, even with a length XDR would have padded.
    if (rawArgs !== undefined) message.push(rawArgs);
    return new Promise((resolve, reject) => {
      const timeoutMs = opts?.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const p: Pending = {
        resolve,
        reject,
        timer: setTimeout(
          () => this.settle(xid)?.reject(new RpcCallError({ kind: 'TIMEOUT' }, xid)),
          timeoutMs,
        ),
      };
      if (this.opts.transport === 'udp') {
        const every = this.opts.retransmitMs ?? DEFAULT_RETRANSMIT_MS;
        p.retransmit = setInterval(() => this.send(message), every);
      }
      this.pending.set(xid, p);
      this.send(message);
    });
  }

  private credentialBody(auth: Auth): Buffer {
    if (auth.flavor === 0) return Buffer.alloc(0);
    let body = this.credentials.get(auth);
    if (body === undefined) {
      const w = new XdrWriter(1024);
      encode_authsys_parms(w, auth);
      body = Buffer.from(w.finishConcat());
      this.credentials.set(auth, body);
    }
    return body;
  }

  private settle(xid: number): Pending | undefined {
    const p = this.pending.get(xid);
    if (p === undefined) return undefined;
    this.pending.delete(xid);
    clearTimeout(p.timer);
    if (p.retransmit) clearInterval(p.retransmit);
    return p;
  }

  /** Handles one reply record; replies to calls no longer pending (late, duplicated) are ignored. */
  receive(record: Buffer): void {
    if (record.length < 8) return;
    const xid = record.readUInt32BE(0);
    if (record.readUInt32BE(4) !== 1 || !this.pending.has(xid)) return;
    const p = this.settle(xid)!;
    const r = new XdrReader(record, 8);
    let failure: RpcFailure | undefined;
    try {
      const body = decode_reply_body(r);
      if (body.stat === 1) {
        const rr = body.rreply;
        failure =
          rr.stat === 0 ? { kind: 'RPC_MISMATCH', ...rr.mismatch_info } : { kind: 'AUTH_ERROR', why: rr.why };
      } else {
        const d = body.areply.reply_data;
        if (d.stat === 0) {
          p.resolve(r);
          return;
        }
        if (d.stat === 2) failure = { kind: 'PROG_MISMATCH', ...d.mismatch_info };
        else failure = { kind: ACCEPT_FAILURES[d.stat] };
      }
    } catch (e) {
      if (!(e instanceof XdrError)) throw e;
      failure = { kind: 'BAD_REPLY', detail: e.message };
    }
    p.reject(new RpcCallError(failure, xid));
  }

  /** Fails every pending call; later calls fail at once. */
  fail(reason: string): void {
    this.closedReason ??= reason;
    for (const xid of [...this.pending.keys()])
      this.settle(xid)?.reject(new RpcCallError({ kind: 'CLOSED' }, xid));
  }

  /** @internal */
  static create(
    opts: RpcClientOptions,
    send: (message: Buffer[]) => void,
    shutdown: () => Promise<void>,
    localPort: number,
  ): RpcClient {
    return new RpcClient(opts, send, shutdown, localPort);
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function connectTcp(opts: RpcClientOptions): Promise<RpcClient> {
  const socket = await openTcp(opts);
  socket.setNoDelay(true);
  const decoder = new RecordDecoder(opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE);
  const client = RpcClient.create(
    opts,
    (message) => {
      if (socket.destroyed) return;
      let length = 0;
      for (const m of message) length += m.length;
      socket.cork();
      socket.write(recordMark(length));
      for (const m of message) socket.write(m);
      socket.uncork();
    },
    () =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
      }),
    socket.localPort ?? 0,
  );
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    for (;;) {
      const next = decoder.next();
      if (next.kind === 'need-more') return;
      if (next.kind !== 'record') {
        socket.destroy();
        return;
      }
      client.receive(next.record);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => client.fail('connection closed'));
  return client;
}

function openTcp(opts: RpcClientOptions): Promise<net.Socket> {
  const attempt = (localPort: number | undefined) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({
        host: opts.host,
        port: opts.port,
        localPort,
        ...(opts.localAddress !== undefined && { localAddress: opts.localAddress }),
      });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  if (!opts.bindPrivileged || !isRoot()) return attempt(undefined);
  return tryReservedPorts(attempt);
}

async function tryReservedPorts<T>(attempt: (port: number) => Promise<T>): Promise<T> {
  for (let port = 1023; port >= LOWEST_RESERVED_PORT; port--) {
    try {
      return await attempt(port);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EACCES') throw e;
    }
  }
  throw new Error('no free reserved port');
}

async function connectUdp(opts: RpcClientOptions): Promise<RpcClient> {
  const type = net.isIPv6(opts.host) ? 'udp6' : 'udp4';
  const bind = (port: number | undefined) =>
    new Promise<dgram.Socket>((resolve, reject) => {
      const s = dgram.createSocket(type);
      s.once('error', (e) => {
        s.close();
        reject(e);
      });
      s.bind(port ?? 0, () => {
        s.removeAllListeners('error');
        resolve(s);
      });
    });
  const socket = opts.bindPrivileged && isRoot() ? await tryReservedPorts(bind) : await bind(undefined);
  await new Promise<void>((resolve) => socket.connect(opts.port, opts.host, resolve));
  let open = true;
  const client = RpcClient.create(
    opts,
    (message) => {
      if (open) socket.send(message);
    },
    () =>
      new Promise((resolve) => {
        if (!open) return resolve();
        open = false;
        socket.close(() => resolve());
      }),
    socket.address().port,
  );
  // A connected UDP socket reports ICMP port-unreachable as an error; the call's timeout covers it.
  socket.on('error', () => {});
  socket.on('message', (msg) => client.receive(msg));
  return client;
}
