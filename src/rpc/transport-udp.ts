import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Dispatcher, DispatchResult } from './transport.js';

/** The largest UDP payload over IPv4. */
export const MAX_UDP_PAYLOAD = 65507;
/** Datagrams beyond this many unanswered calls are dropped; UDP clients retransmit. */
export const DEFAULT_MAX_UDP_IN_FLIGHT = 256;

export interface UdpTransportOptions {
  dispatch: Dispatcher;
  logger: Logger;
  maxInFlight?: number;
  maxRecordSize?: number;
}

/** One datagram is one record, and the reply goes back to the address and port it came from. */
export class UdpTransport {
  inFlight = 0;
  private socket: dgram.Socket | undefined;
  private readonly maxInFlight: number;

  constructor(private readonly opts: UdpTransportOptions) {
    this.maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_UDP_IN_FLIGHT;
  }

  listen(host: string, port: number): Promise<number> {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.receive(socket, msg, rinfo));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.opts.logger.warn({ err }, 'UDP socket error'));
        resolve(socket.address().port);
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }

  private receive(socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.inFlight >= this.maxInFlight) return;
    if (this.opts.maxRecordSize !== undefined && msg.length > this.opts.maxRecordSize) return;
    this.inFlight++;
    const peer = { transport: 'udp' as const, address: rinfo.address, port: rinfo.port };
    const result = this.opts.dispatch(msg, peer, 0);
    if (result instanceof Promise) {
      result.then(
        (r) => this.complete(socket, r, rinfo),
        (err: unknown) => {
          this.inFlight--;
          this.opts.logger.error({ err }, 'dispatch failed');
        },
      );
    } else {
      this.complete(socket, result, rinfo);
    }
  }

  private complete(socket: dgram.Socket, result: DispatchResult, rinfo: dgram.RemoteInfo): void {
    this.inFlight--;
    if (result.kind !== 'reply' || this.socket !== socket) return;
    let length = 0;
    for (const part of result.message) length += part.length;
    if (length > MAX_UDP_PAYLOAD) {
      this.opts.logger.warn({ length, peer: rinfo.address }, 'reply too large for UDP, dropped');
      return;
    }
    socket.send(result.message as Buffer[], rinfo.port, rinfo.address, (err) => {
      if (err) this.opts.logger.debug({ err, peer: rinfo.address }, 'UDP send failed');
    });
  }
}
