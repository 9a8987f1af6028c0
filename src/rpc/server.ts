import { performance } from 'node:perf_hooks';
import pino, { type Logger } from 'pino';
import { XdrError } from '../xdr/errors.js';
import { XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import { parseCallHeader } from './call-header.js';
import { type DrcOptions, DuplicateRequestCache } from './drc.js';
import { encodeErrorReply, type ReplyError, writeSuccessHeader } from './reply.js';
import type { DispatchResult } from './transport.js';
import { TcpTransport } from './transport-tcp.js';
import { UdpTransport } from './transport-udp.js';
import {
  type Auth,
  type CallContext,
  type CallDoneHook,
  type CallOutcome,
  type Denial,
  isDenial,
  type Peer,
  type ProcedureHandler,
  type ProgramVersion,
} from './types.js';

export type { DrcOptions } from './drc.js';
export type {
  Auth,
  CallContext,
  CallDoneHook,
  CallOutcome,
  Denial,
  Peer,
  ProcedureHandler,
  ProgramVersion,
} from './types.js';

export interface RpcServerOptions {
  logger?: Logger;
  maxRecordSize?: number;
  maxInFlightPerConnection?: number;
  /** Unanswered UDP calls beyond which datagrams are dropped. */
  maxUdpInFlight?: number;
  drc?: DrcOptions;
  /** Called once per call that reached a procedure, for per-procedure counts and latency. */
  onCallDone?: CallDoneHook;
}

export interface RpcServerStats {
  inFlight: number;
  connections: number;
  drcEntries: number;
  drcInProgress: number;
}

const AUTH_STAT_OF_DENIAL = { AUTH_BADCRED: 1, AUTH_REJECTEDCRED: 2, AUTH_TOOWEAK: 5 } as const;

/** A finished call and whether a retransmission may be answered with the same bytes. */
interface Ran {
  result: DispatchResult;
  cacheable: boolean;
}

interface VersionRange {
  low: number;
  high: number;
  versions: Map<number, ProgramVersion>;
}

/** One ONC RPC server for every registered program, over TCP and UDP. */
export class RpcServer {
  private readonly logger: Logger;
  private readonly programs = new Map<number, VersionRange>();
  private readonly writer = new XdrWriter();
  private readonly drc: DuplicateRequestCache;
  private readonly tcp: TcpTransport[] = [];
  private readonly udp: UdpTransport[] = [];
  private connectionIds = 0;
  private callDone: CallDoneHook | undefined;

  constructor(private readonly opts: RpcServerOptions = {}) {
    this.logger = opts.logger ?? pino({ name: 'rpc' });
    this.drc = new DuplicateRequestCache(opts.drc);
    this.callDone = opts.onCallDone;
  }

  register(v: ProgramVersion): void {
    let range = this.programs.get(v.prog);
    if (range === undefined) {
      range = { low: v.vers, high: v.vers, versions: new Map() };
      this.programs.set(v.prog, range);
    }
    if (range.versions.has(v.vers)) throw new Error(`program ${v.prog} version ${v.vers} registered twice`);
    range.versions.set(v.vers, v);
    range.low = Math.min(range.low, v.vers);
    range.high = Math.max(range.high, v.vers);
  }

  onCallDone(hook: CallDoneHook | undefined): void {
    this.callDone = hook;
  }

  async listenTcp(host: string, port: number): Promise<number> {
    const t = new TcpTransport({
      dispatch: (record, peer, id) => this.dispatch(record, peer, id),
      logger: this.logger,
      maxRecordSize: this.opts.maxRecordSize,
      maxInFlightPerConnection: this.opts.maxInFlightPerConnection,
      nextConnectionId: () => ++this.connectionIds,
    });
    const bound = await t.listen(host, port);
    this.tcp.push(t);
    return bound;
  }

  async listenUdp(host: string, port: number): Promise<number> {
    const u = new UdpTransport({
      dispatch: (record, peer, id) => this.dispatch(record, peer, id),
      logger: this.logger,
      maxInFlight: this.opts.maxUdpInFlight,
      maxRecordSize: this.opts.maxRecordSize,
    });
    const bound = await u.listen(host, port);
    this.udp.push(u);
    return bound;
  }

  async close(): Promise<void> {
    await Promise.all([...this.tcp.map((t) => t.close()), ...this.udp.map((u) => u.close())]);
    this.tcp.length = 0;
    this.udp.length = 0;
  }

  stats(): RpcServerStats {
    let inFlight = 0;
    let connections = 0;
    for (const t of this.tcp) {
      inFlight += t.inFlight;
      connections += t.connectionCount;
    }
    for (const u of this.udp) inFlight += u.inFlight;
    return { inFlight, connections, drcEntries: this.drc.size, drcInProgress: this.drc.inProgress };
  }

  /** Turns one received record into what to send back. Exposed for transports and in-process tests. */
  dispatch(record: Buffer, peer: Peer, connectionId: number): DispatchResult | Promise<DispatchResult> {
    const h = parseCallHeader(record);
    switch (h.kind) {
      case 'unanswerable':
        this.logger.debug({ peer, reason: h.reason }, 'unanswerable message');
        return peer.transport === 'tcp' ? { kind: 'close', reason: h.reason } : { kind: 'no-reply' };
      case 'rpc-mismatch':
        return this.error(h.xid, { stat: 'RPC_MISMATCH' });
      case 'auth-error':
        return this.error(h.xid, { stat: 'AUTH_ERROR', why: h.why });
    }
    const range = this.programs.get(h.prog);
    if (range === undefined) return this.error(h.xid, { stat: 'PROG_UNAVAIL' });
    const version = range.versions.get(h.vers);
    if (version === undefined) {
      return this.error(h.xid, { stat: 'PROG_MISMATCH', low: range.low, high: range.high });
    }
    const handler = version.procedures.get(h.proc);
    if (handler === undefined) return this.error(h.xid, { stat: 'PROC_UNAVAIL' });

    const ctx: CallContext = {
      xid: h.xid,
      prog: h.prog,
      vers: h.vers,
      proc: h.proc,
      auth: h.auth,
      peer,
      connectionId,
    };
    const start = performance.now();
    let args: unknown;
    try {
      args = handler.codec.decodeArgs(new XdrReader(record, h.argsOffset));
    } catch (e) {
      if (!(e instanceof XdrError)) return this.bug(ctx, handler, start, e).result;
      this.report(ctx, handler, start, 'garbage-args');
      return this.error(h.xid, { stat: 'GARBAGE_ARGS' });
    }
    if (handler.idempotent) {
      const ran = this.run(ctx, handler, args, start);
      return ran instanceof Promise ? ran.then((r) => r.result) : ran.result;
    }

    const client = peer.transport === 'tcp' ? peer.address : `${peer.address}:${peer.port}`;
    const { xid, prog, vers, proc } = ctx;
    const cred = credentialKey(ctx.auth);
    const cached = this.drc.lookup({
      client,
      xid,
      prog,
      vers,
      proc,
      cred,
      args: record.subarray(h.argsOffset),
    });
    switch (cached.kind) {
      case 'replay':
        this.report(ctx, handler, start, 'replayed');
        return { kind: 'reply', message: cached.reply };
      case 'in-progress':
        return cached.reply.then((message) => {
          this.report(ctx, handler, start, 'replayed');
          return { kind: 'reply', message };
        });
    }
    const settle = (r: Ran): DispatchResult => {
      cached.complete(r.result.kind === 'reply' ? r.result.message : [], r.cacheable);
      return r.result;
    };
    const ran = this.run(ctx, handler, args, start);
    return ran instanceof Promise ? ran.then(settle) : settle(ran);
  }

  private run(
    ctx: CallContext,
    handler: ProcedureHandler<unknown, unknown>,
    args: unknown,
    start: number,
  ): Ran | Promise<Ran> {
    let res: unknown;
    try {
      res = handler.handle(ctx, args);
    } catch (e) {
      return this.bug(ctx, handler, start, e);
    }
    if (!(res instanceof Promise)) return this.finish(ctx, handler, start, res);
    return res.then(
      (r) => this.finish(ctx, handler, start, r),
      (e: unknown) => this.bug(ctx, handler, start, e),
    );
  }

  private finish(
    ctx: CallContext,
    handler: ProcedureHandler<unknown, unknown>,
    start: number,
    res: unknown,
  ): Ran {
    if (isDenial(res)) {
      this.report(ctx, handler, start, 'denied');
      return { result: this.denial(ctx.xid, res), cacheable: true };
    }
    try {
      writeSuccessHeader(this.writer, ctx.xid);
      handler.codec.encodeRes(this.writer, res);
    } catch (e) {
      this.writer.finish();
      return this.bug(ctx, handler, start, e);
    }
    this.report(ctx, handler, start, 'success');
    return { result: { kind: 'reply', message: this.writer.finish() }, cacheable: true };
  }

  private denial(xid: number, d: Denial): DispatchResult {
    if (d.denied === 'SYSTEM_ERR') return this.error(xid, { stat: 'SYSTEM_ERR' });
    return this.error(xid, { stat: 'AUTH_ERROR', why: AUTH_STAT_OF_DENIAL[d.denied] });
  }

  /** A handler or codec threw: a bug, answered with SYSTEM_ERR and not cached, so a retry runs again. */
  private bug(
    ctx: CallContext,
    handler: ProcedureHandler<unknown, unknown>,
    start: number,
    err: unknown,
  ): Ran {
    const { xid, prog, vers, proc, peer } = ctx;
    this.logger.error(
      { err, xid, prog, vers, proc, procedure: handler.codec.name, peer },
      'procedure failed',
    );
    this.report(ctx, handler, start, 'system-err');
    return { result: this.error(xid, { stat: 'SYSTEM_ERR' }), cacheable: false };
  }

  private error(xid: number, e: ReplyError): DispatchResult {
    return { kind: 'reply', message: encodeErrorReply(this.writer, xid, e) };
  }

  private report(
    ctx: CallContext,
    handler: ProcedureHandler<unknown, unknown>,
    start: number,
    outcome: CallOutcome,
  ) {
    if (this.callDone === undefined) return;
    try {
      this.callDone(ctx, handler.codec.name, performance.now() - start, outcome);
    } catch (err) {
      this.logger.error({ err }, 'call metrics hook failed');
    }
  }
}

/** The credential as the duplicate request cache tells callers apart: another user replaying a call's
 * xid and arguments from the same address must run it under its own identity, not read the reply. */
function credentialKey(auth: Auth): string {
  return auth.flavor === 1 ? `sys:${auth.uid}:${auth.gid}:${auth.gids.join(',')}` : 'none';
}
