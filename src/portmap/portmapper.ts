import type { Logger } from 'pino';
import { RpcServer } from '../rpc/server.js';
import { PMAP_PORT, PMAP_PROG, PMAP_VERS, RPCBVERS, RPCBVERS4 } from '../xdr/generated/portmap.js';
import { ownRegistrations, portmapPrograms } from './portmap-programs.js';
import { type Registration, RegistrationTable } from './registration-table.js';
import { type SystemRpcbindOptions, SystemRpcbindRegistration } from './system-rpcbind.js';

export interface PortmapperOptions {
  /** Address the embedded portmapper listens on (the server's own listen address). */
  readonly host: string;
  readonly port?: number;
  /** The server's programs, as it is reachable. */
  readonly registrations: readonly Registration[];
  readonly logger: Logger;
  readonly systemRpcbind?: SystemRpcbindOptions;
}

export type Portmapper =
  | {
      readonly kind: 'embedded';
      readonly table: RegistrationTable;
      readonly port: number;
      close(): Promise<void>;
    }
  | { readonly kind: 'system'; readonly via: string; close(): Promise<void> };

export type PortmapperStart =
  | { readonly ok: true; readonly portmapper: Portmapper }
  | { readonly ok: false; readonly error: string };

/** Port 111 is someone else's (EADDRINUSE) or needs privileges we lack (EACCES): use the system's rpcbind. */
function portUnavailable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

async function startEmbedded(opts: PortmapperOptions, port: number): Promise<Portmapper> {
  const table = new RegistrationTable();
  const server = new RpcServer({ logger: opts.logger });
  for (const program of portmapPrograms(table, { localAddressOf: (ctx) => ctx.peer.localAddress }))
    server.register(program);
  try {
    const tcp = await server.listenTcp(opts.host, port);
    const udp = await server.listenUdp(opts.host, tcp);
    const self = [PMAP_VERS, RPCBVERS, RPCBVERS4].map((vers) => ({ prog: PMAP_PROG, vers }));
    for (const reg of [...ownRegistrations(opts.host, { tcp, udp }, self), ...opts.registrations])
      table.set(reg);
    return { kind: 'embedded', table, port: tcp, close: () => server.close() };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/**
 * Makes this server's programs findable on port 111: by answering there itself when the port is free,
 * or else by registering them with the system's rpcbind (and unregistering them on close).
 */
export async function startPortmapper(opts: PortmapperOptions): Promise<PortmapperStart> {
  const port = opts.port ?? PMAP_PORT;
  try {
    const portmapper = await startEmbedded(opts, port);
    opts.logger.info(
      { host: opts.host, port: portmapper.kind === 'embedded' ? portmapper.port : port },
      'embedded portmapper listening',
    );
    return { ok: true, portmapper };
  } catch (err) {
    if (!portUnavailable(err)) return { ok: false, error: `portmapper: ${(err as Error).message}` };
    opts.logger.info(
      { port, reason: (err as NodeJS.ErrnoException).code },
      'port taken: registering with the system rpcbind',
    );
  }
  const registered = await SystemRpcbindRegistration.register(opts.registrations, opts.systemRpcbind);
  if (!registered.ok) return { ok: false, error: registered.error };
  const { registration } = registered;
  opts.logger.info(
    { via: registration.via, count: opts.registrations.length },
    'registered with the system rpcbind',
  );
  return {
    ok: true,
    portmapper: { kind: 'system', via: registration.via, close: () => registration.unregister() },
  };
}
