import net from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_MAX_RECORD_SIZE, RecordDecoder, recordMark } from './record-marking.js';
import { type Dispatcher, type DispatchResult, isDisconnect } from './transport.js';
import type { Peer } from './types.js';

export const DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 64;
/** Replies queued for a peer that does not read them stop us from taking more of its calls. */
const WRITE_BACKLOG_LIMIT = 4 * 1024 * 1024;

export interface TcpTransportOptions {
  dispatch: Dispatcher;
  logger: Logger;
  maxRecordSize?: number;
  maxInFlightPerConnection?: number;
  nextConnectionId: () => number;
}

/** Accepts TCP connections and runs record-marked RPC over each, many calls at a time. */
export class TcpTransport {
  private readonly server: net.Server;
  private readonly connections = new Set<TcpConnection>();

  constructor(private readonly opts: TcpTransportOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.opts.logger.error({ err }, 'TCP listener error'));
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Calls received and not yet answered, over all connections. */
  get inFlight(): number {
    let n = 0;
    for (const c of this.connections) n += c.inFlight;
    return n;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const c of this.connections) c.destroy();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const connection = new TcpConnection(socket, this.opts.nextConnectionId(), this.opts);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }
}

class TcpConnection {
  inFlight = 0;
  private readonly decoder: RecordDecoder;
  private readonly peer: Peer;
  private readonly maxInFlight: number;
  private reading = true;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly id: number,
    private readonly opts: TcpTransportOptions,
  ) {
    this.decoder = new RecordDecoder(opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE);
    this.maxInFlight = opts.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION;
    this.peer = {
      transport: 'tcp',
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      ...(socket.localAddress !== undefined && { localAddress: socket.localAddress }),
    };
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      this.pump();
    });
    socket.on('drain', () => this.pump());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const log = { err, connection: this.id, peer: this.peer };
      if (isDisconnect(err)) opts.logger.debug(log, 'peer disconnected');
      else opts.logger.warn(log, 'TCP connection error');
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  destroy(): void {
    // Replies to the calls before the one that made us close still go out.
    this.flush();
    this.closed = true;
    this.socket.destroy();
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** Takes complete records while the in-flight and write backlog bounds allow, reading more only then. */
  private pump(): void {
    while (!this.closed) {
      if (this.inFlight >= this.maxInFlight || this.socket.writableLength > WRITE_BACKLOG_LIMIT) {
        this.setReading(false);
        return;
      }
      const next = this.decoder.next();
      if (next.kind === 'need-more') {
        this.setReading(true);
        return;
      }
      if (next.kind !== 'record') {
        this.opts.logger.info(
          { connection: this.id, peer: this.peer, ...next },
          'closing connection: bad record',
        );
        this.destroy();
        return;
      }
      this.inFlight++;
      const result = this.opts.dispatch(next.record, this.peer, this.id);
      if (result instanceof Promise) {
        result.then(
          (r) => {
            this.complete(r);
            this.pump();
          },
          (err: unknown) => {
            this.opts.logger.error({ err, connection: this.id }, 'dispatch failed');
            this.inFlight--;
            this.destroy();
          },
        );
      } else {
        this.complete(result);
      }
    }
  }

  private complete(result: DispatchResult): void {
    this.inFlight--;
    if (this.closed) return;
    if (result.kind === 'close') {
      this.opts.logger.info(
        { connection: this.id, peer: this.peer, reason: result.reason },
        'closing connection',
      );
      this.destroy();
      return;
    }
    if (result.kind === 'no-reply') return;
    let length = 0;
    for (const part of result.message) length += part.length;
    // Replies finished in the same turn of the event loop leave in one writev: at queue depth 32 that
    // is one system call instead of 32.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => this.flush());
    }
    this.socket.write(recordMark(length));
    for (const part of result.message) this.socket.write(part);
  }

  private corked = false;

  private setReading(on: boolean): void {
    if (on === this.reading) return;
    this.reading = on;
    if (on) this.socket.resume();
    else this.socket.pause();
  }
}
