import type { Logger } from '../observe/logger.js';
import type { Objects } from './objects.js';

/** What the NFS procedures need from the running server. */
export interface Nfs3Deps {
  readonly objects: Objects;
  /** Changes on every server start, so clients resend data they wrote UNSTABLE and did not commit. */
  readonly writeVerifier: Buffer;
  readonly logger: Logger;
}

/** FSINFO limits: 1 MiB transfers, the most Linux and libnfs ask for. */
export const MAX_TRANSFER = 1024 * 1024;

/** Over UDP a reply must fit one datagram: 32 KiB of data, as knfsd allows. */
export const MAX_UDP_TRANSFER = 32 * 1024;

/** The most bytes a READDIR or READDIRPLUS reply may take for a client asking for `requested`: over UDP
 * the reply must fit one datagram, over TCP it is bounded like a READ. */
export function readdirLimit(transport: 'tcp' | 'udp', requested: number): number {
  return Math.min(requested, maxTransfer(transport));
}

/** The largest READ/WRITE this transport carries. */
export function maxTransfer(transport: 'tcp' | 'udp'): number {
  return transport === 'udp' ? MAX_UDP_TRANSFER : MAX_TRANSFER;
}
