import type { ProcedureCodec } from '../xdr/codec.js';

/** The caller's credential after verification: AUTH_NONE, or AUTH_SYS within its RFC 5531 bounds. */
export type Auth =
  | { flavor: 0 }
  | { flavor: 1; stamp: number; machinename: Buffer; uid: number; gid: number; gids: number[] };

export type TransportKind = 'tcp' | 'udp';

export interface Peer {
  transport: TransportKind;
  address: string;
  port: number;
  /** The server address the call arrived on (TCP), where a wildcard listener needs to know it. */
  localAddress?: string;
}

export interface CallContext {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  auth: Auth;
  peer: Peer;
  /** Distinguishes TCP connections (and is 0 for UDP), so per-connection state can be keyed on it. */
  connectionId: number;
}

/**
 * A handler's refusal to run the call at all: sent as MSG_DENIED AUTH_ERROR with the given auth_stat,
 * or as MSG_ACCEPTED SYSTEM_ERR.
 */
export type Denial =
  | { denied: 'AUTH_TOOWEAK' | 'AUTH_BADCRED' | 'AUTH_REJECTEDCRED' }
  | { denied: 'SYSTEM_ERR' };

export interface ProcedureHandler<A, R> {
  codec: ProcedureCodec<A, R>;
  /** false for calls whose retry must not run twice (REMOVE, CREATE...): they go through the reply cache. */
  idempotent: boolean;
  handle(ctx: CallContext, args: A): R | Denial | Promise<R | Denial>;
}

export interface ProgramVersion {
  prog: number;
  vers: number;
  // biome-ignore lint/suspicious/noExplicitAny: each procedure has its own argument and result types
  procedures: ReadonlyMap<number, ProcedureHandler<any, any>>;
}

export function isDenial(v: unknown): v is Denial {
  return typeof v === 'object' && v !== null && 'denied' in v && Object.keys(v).length === 1;
}

/** How a dispatched call ended, for metrics. */
export type CallOutcome = 'success' | 'denied' | 'garbage-args' | 'system-err' | 'replayed';

export type CallDoneHook = (
  ctx: CallContext,
  procedureName: string,
  ms: number,
  outcome: CallOutcome,
) => void;
