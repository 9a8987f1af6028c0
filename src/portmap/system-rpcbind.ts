import {
  PMAP_PROG,
  PMAP_VERS,
  PMAP_VERS_PROCEDURES,
  RPCBVERS4,
  RPCBVERS4_PROCEDURES,
} from '../xdr/generated/portmap.js';
import { protocolOfNetid, type Registration } from './registration-table.js';
import { callOverStream, type StreamCallResult, type StreamTarget } from './stream-call.js';
import { parseUniversalAddress } from './universal-address.js';

export const RPCBIND_SOCKET = '/run/rpcbind.sock';

export interface SystemRpcbindOptions {
  /** rpcbind's local socket; over it rpcbind knows the caller is root from the socket's credentials. */
  readonly socketPath?: string;
  /** Where to send PMAP v2 calls when the local socket is missing (from a privileged port). */
  readonly host?: string;
  readonly port?: number;
}

type Channel =
  | { readonly kind: 'rpcbind-socket'; readonly path: string }
  | { readonly kind: 'portmap-tcp'; readonly host: string; readonly port: number };

function rpcbArgs(reg: Registration, withAddress: boolean) {
  return {
    r_prog: reg.prog,
    r_vers: reg.vers,
    r_netid: Buffer.from(reg.netid, 'latin1'),
    r_addr: Buffer.from(withAddress ? reg.uaddr : '', 'latin1'),
    r_owner: Buffer.from(reg.owner, 'latin1'),
  };
}

function mappingOf(reg: Registration) {
  const prot = protocolOfNetid(reg.netid);
  const port = parseUniversalAddress(reg.uaddr)?.port;
  return prot === undefined || port === undefined
    ? undefined
    : { prog: reg.prog, vers: reg.vers, prot, port };
}

/** A reserved port to call from: rpcbind only accepts PMAP SET from root, and a port below 1024 shows it. */
function privilegedPort(): number {
  return 600 + Math.floor(Math.random() * 400);
}

async function call<A, R>(
  channel: Channel,
  proc: { codec: import('../xdr/codec.js').ProcedureCodec<A, R>; vers: number },
  args: A,
) {
  let result: StreamCallResult<R> | undefined;
  // A random reserved port may be taken: a few tries are plenty.
  for (let attempt = 0; attempt < 5; attempt++) {
    const target: StreamTarget =
      channel.kind === 'rpcbind-socket'
        ? { path: channel.path }
        : { host: channel.host, port: channel.port, localPort: privilegedPort() };
    result = await callOverStream(target, PMAP_PROG, proc.vers, proc.codec, args);
    if (result.ok || channel.kind === 'rpcbind-socket' || !/EADDRINUSE/.test(result.error)) break;
  }
  return result!;
}

/**
 * Registers this server's programs with the system's rpcbind (when the embedded portmapper cannot have
 * port 111), and removes them again on shutdown. Stale entries left by a crashed previous run are
 * replaced: the SET of a triple that is still registered would fail.
 */
export class SystemRpcbindRegistration {
  private constructor(
    private readonly channel: Channel,
    private readonly registered: readonly Registration[],
  ) {}

  static async register(
    regs: readonly Registration[],
    opts: SystemRpcbindOptions = {},
  ): Promise<{ ok: true; registration: SystemRpcbindRegistration } | { ok: false; error: string }> {
    const socketChannel: Channel = { kind: 'rpcbind-socket', path: opts.socketPath ?? RPCBIND_SOCKET };
    const probe = await callOverStream(
      { path: socketChannel.path },
      PMAP_PROG,
      RPCBVERS4,
      RPCBVERS4_PROCEDURES.RPCBPROC_NULL,
      undefined,
    );
    const channel: Channel = probe.ok
      ? socketChannel
      : { kind: 'portmap-tcp', host: opts.host ?? '127.0.0.1', port: opts.port ?? 111 };
    const registration = new SystemRpcbindRegistration(channel, regs);
    for (const reg of regs) {
      await registration.unsetOne(reg);
      const error = await registration.setOne(reg);
      if (error !== undefined) {
        await registration.unregister();
        return {
          ok: false,
          error: `registering program ${reg.prog} version ${reg.vers} on ${reg.netid}: ${error}`,
        };
      }
    }
    return { ok: true, registration };
  }

  get via(): string {
    return this.channel.kind === 'rpcbind-socket'
      ? `rpcbind at ${this.channel.path}`
      : `portmapper at ${this.channel.host}:${this.channel.port}`;
  }

  private async setOne(reg: Registration): Promise<string | undefined> {
    if (this.channel.kind === 'rpcbind-socket') {
      const r = await call(
        this.channel,
        { codec: RPCBVERS4_PROCEDURES.RPCBPROC_SET, vers: RPCBVERS4 },
        rpcbArgs(reg, true),
      );
      return !r.ok ? r.error : r.value ? undefined : 'rpcbind refused the registration';
    }
    const m = mappingOf(reg);
    if (m === undefined) return undefined; // portmap v2 cannot describe IPv6 transports
    const r = await call(this.channel, { codec: PMAP_VERS_PROCEDURES.PMAPPROC_SET, vers: PMAP_VERS }, m);
    return !r.ok ? r.error : r.value ? undefined : 'the portmapper refused the registration';
  }

  private async unsetOne(reg: Registration): Promise<void> {
    if (this.channel.kind === 'rpcbind-socket') {
      await call(
        this.channel,
        { codec: RPCBVERS4_PROCEDURES.RPCBPROC_UNSET, vers: RPCBVERS4 },
        rpcbArgs(reg, false),
      );
      return;
    }
    const m = mappingOf(reg);
    if (m !== undefined)
      await call(this.channel, { codec: PMAP_VERS_PROCEDURES.PMAPPROC_UNSET, vers: PMAP_VERS }, m);
  }

  /** Removes every registration made; failures are ignored (rpcbind may already be gone). */
  async unregister(): Promise<void> {
    for (const reg of this.registered) await this.unsetOne(reg);
  }
}
