import type { Peer } from './types.js';

/** What to do with one received record. */
export type DispatchResult =
  | { kind: 'reply'; message: readonly Buffer[] }
  /** Nothing to send (UDP garbage, for instance). */
  | { kind: 'no-reply' }
  /** The peer is not speaking RPC: on a stream there is no way to resynchronise, so hang up. */
  | { kind: 'close'; reason: string };

export type Dispatcher = (
  record: Buffer,
  peer: Peer,
  connectionId: number,
) => DispatchResult | Promise<DispatchResult>;

/** Socket errors that only mean the peer went away (libnfs, for one, closes with a reset). */
export function isDisconnect(err: NodeJS.ErrnoException): boolean {
  return (
    err.code === 'ECONNRESET' ||
    err.code === 'EPIPE' ||
    err.code === 'ETIMEDOUT' ||
    err.code === 'ECONNABORTED'
  );
}
