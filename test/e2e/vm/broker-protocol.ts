// The broker's api.sock speaks JSON lines: one request, one reply per connection
// (a connection may carry several, matched by `tag`). Payloads are base64.
import net from 'node:net';

export type BrokerRequest =
  | { readonly op: 'exec'; readonly cmd: string; readonly stdin?: string; readonly timeout?: number }
  | { readonly op: 'ping'; readonly timeout?: number }
  | { readonly op: 'ready'; readonly timeout?: number }
  | { readonly op: 'status' };

export interface Hello {
  readonly uptime: number;
  readonly kernel: string;
  readonly at: number;
}

export interface BrokerFailure {
  readonly ok: false;
  readonly error: string;
}
export interface ExecReply {
  readonly ok: true;
  readonly rc: number;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}
export interface PingReply {
  readonly ok: true;
  readonly ms: number;
}
export interface ReadyReply {
  readonly ok: true;
  readonly hello: Hello;
}
export interface StatusReply {
  readonly ok: true;
  readonly connected: boolean;
  readonly hello: Hello | null;
  readonly pending: number;
}

export interface ReplyOf {
  exec: ExecReply | BrokerFailure;
  ping: PingReply | BrokerFailure;
  ready: ReadyReply | BrokerFailure;
  status: StatusReply | BrokerFailure;
}

/** One request/reply on the broker's socket. timeoutMs 0 waits for ever. */
export function brokerRequest<R extends BrokerRequest>(
  sock: string,
  req: R,
  timeoutMs = 0,
): Promise<ReplyOf[R['op']]> {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(sock);
    let buf = '';
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            c.destroy();
            reject(new Error(`broker request timed out after ${timeoutMs} ms`));
          }, timeoutMs)
        : null;
    c.setEncoding('utf8');
    c.on('connect', () => c.write(`${JSON.stringify(req)}\n`));
    c.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i < 0) return;
      if (timer) clearTimeout(timer);
      c.end();
      try {
        resolve(JSON.parse(buf.slice(0, i)) as ReplyOf[R['op']]);
      } catch (e) {
        reject(e);
      }
    });
    c.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
  });
}
