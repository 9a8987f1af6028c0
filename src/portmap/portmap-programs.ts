import { isLoopback } from '../config/index.js';
import type { CallContext, Denial, ProcedureHandler, ProgramVersion } from '../rpc/types.js';
import type { ProcedureCodec } from '../xdr/codec.js';
import {
  PMAP_PROG,
  PMAP_VERS,
  PMAP_VERS_PROCEDURES,
  RPCBVERS,
  RPCBVERS_PROCEDURES,
  RPCBVERS4,
  RPCBVERS4_PROCEDURES,
  type rp__list,
  type rpcb,
} from '../xdr/generated/portmap.js';
import { type Netid, type Registration, type RegistrationTable, SUPERUSER } from './registration-table.js';
import { formatUniversalAddress, isWildcardHost, parseUniversalAddress } from './universal-address.js';

const IPPORT_RESERVED = 1024;

export interface PortmapOptions {
  /**
   * The local address a call arrived on, used to turn a wildcard registration (0.0.0.0) into an address
   * the caller can reach, as rpcbind does. Without it the caller's own address is used for loopback
   * callers (the only case where it is also ours).
   */
  readonly localAddressOf?: (ctx: CallContext) => string | undefined;
  /** Clock for RPCBPROC_GETTIME, in seconds. */
  readonly now?: () => number;
}

/**
 * rpcbind lets only local privileged callers change the table: a root process on this host. Anyone else
 * could hijack a service name by registering it first.
 */
export function mayChangeRegistrations(ctx: CallContext): boolean {
  return isLoopback(ctx.peer.address) && ctx.peer.port < IPPORT_RESERVED;
}

function text(b: Buffer): string {
  return b.toString('latin1');
}

function callerNetid(ctx: CallContext): Netid {
  return ctx.peer.address.includes(':') && !ctx.peer.address.startsWith('::ffff:')
    ? `${ctx.peer.transport}6`
    : ctx.peer.transport;
}

function reachableAddress(reg: Registration, ctx: CallContext, opts: PortmapOptions): string {
  const parsed = parseUniversalAddress(reg.uaddr);
  if (!parsed || !isWildcardHost(parsed.host)) return reg.uaddr;
  let local = opts.localAddressOf?.(ctx) ?? (isLoopback(ctx.peer.address) ? ctx.peer.address : undefined);
  if (local?.startsWith('::ffff:')) local = local.slice('::ffff:'.length);
  return local === undefined ? reg.uaddr : formatUniversalAddress(local, parsed.port);
}

function entry<A, R>(
  codec: ProcedureCodec<A, R>,
  idempotent: boolean,
  handle: (ctx: CallContext, args: A) => R | Denial,
): [number, ProcedureHandler<unknown, unknown>] {
  return [codec.proc, { codec, idempotent, handle } as ProcedureHandler<unknown, unknown>];
}

/**
 * The embedded portmapper: PMAP version 2 and rpcbind versions 3 and 4 (RFC 1833) over one table.
 * Procedures not listed (CALLIT, BCAST, INDIRECT, address conversion, GETADDRLIST, GETSTAT) are answered
 * PROC_UNAVAIL by the RPC layer: this portmapper forwards nothing.
 */
export function portmapPrograms(table: RegistrationTable, opts: PortmapOptions = {}): ProgramVersion[] {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const v2 = PMAP_VERS_PROCEDURES;
  const pmap: ProgramVersion = {
    prog: PMAP_PROG,
    vers: PMAP_VERS,
    procedures: new Map([
      entry(v2.PMAPPROC_NULL, true, () => undefined),
      entry(
        v2.PMAPPROC_SET,
        false,
        (ctx, m) => mayChangeRegistrations(ctx) && table.setMapping(m, SUPERUSER),
      ),
      entry(v2.PMAPPROC_UNSET, false, (ctx, m) => mayChangeRegistrations(ctx) && table.unsetMapping(m)),
      entry(v2.PMAPPROC_GETPORT, true, (_ctx, m) => table.getPort(m)),
      entry(v2.PMAPPROC_DUMP, true, () => table.mappings().map((map) => ({ map }))),
    ]),
  };

  const set = (ctx: CallContext, r: rpcb): boolean =>
    mayChangeRegistrations(ctx) &&
    parseUniversalAddress(text(r.r_addr)) !== undefined &&
    table.set({
      prog: r.r_prog,
      vers: r.r_vers,
      netid: text(r.r_netid),
      uaddr: text(r.r_addr),
      owner: SUPERUSER,
    });
  // An empty netid removes the version from every transport (RFC 1833 section 2.2.1).
  const unset = (ctx: CallContext, r: rpcb): boolean =>
    mayChangeRegistrations(ctx) &&
    table.unset(r.r_prog, r.r_vers, r.r_netid.length > 0 ? text(r.r_netid) : undefined);
  const lookup = (ctx: CallContext, r: rpcb, exact: boolean): Buffer => {
    const netid = r.r_netid.length > 0 ? text(r.r_netid) : callerNetid(ctx);
    const reg = exact
      ? table.find(r.r_prog, r.r_vers, netid)
      : table.findForCaller(r.r_prog, r.r_vers, netid);
    // The empty string is "not registered" (RFC 1833 section 2.2.1).
    return Buffer.from(reg ? reachableAddress(reg, ctx, opts) : '', 'latin1');
  };
  const dump = (): rp__list[] =>
    table.list().map((reg) => ({
      rpcb_map: {
        r_prog: reg.prog,
        r_vers: reg.vers,
        r_netid: Buffer.from(reg.netid, 'latin1'),
        r_addr: Buffer.from(reg.uaddr, 'latin1'),
        r_owner: Buffer.from(reg.owner, 'latin1'),
      },
    }));

  const v3 = RPCBVERS_PROCEDURES;
  const rpcb3: ProgramVersion = {
    prog: PMAP_PROG,
    vers: RPCBVERS,
    procedures: new Map([
      entry(v3.RPCBPROC_NULL, true, () => undefined),
      entry(v3.RPCBPROC_SET, false, set),
      entry(v3.RPCBPROC_UNSET, false, unset),
      entry(v3.RPCBPROC_GETADDR, true, (ctx, r) => lookup(ctx, r, false)),
      entry(v3.RPCBPROC_DUMP, true, dump),
      entry(v3.RPCBPROC_GETTIME, true, () => now() >>> 0),
    ]),
  };
  const v4 = RPCBVERS4_PROCEDURES;
  const rpcb4: ProgramVersion = {
    prog: PMAP_PROG,
    vers: RPCBVERS4,
    procedures: new Map([
      entry(v4.RPCBPROC_NULL, true, () => undefined),
      entry(v4.RPCBPROC_SET, false, set),
      entry(v4.RPCBPROC_UNSET, false, unset),
      entry(v4.RPCBPROC_GETADDR, true, (ctx, r) => lookup(ctx, r, false)),
      entry(v4.RPCBPROC_DUMP, true, dump),
      entry(v4.RPCBPROC_GETTIME, true, () => now() >>> 0),
      entry(v4.RPCBPROC_GETVERSADDR, true, (ctx, r) => lookup(ctx, r, true)),
    ]),
  };
  return [pmap, rpcb3, rpcb4];
}

/** What a server listening at `host` (with its TCP and UDP ports) registers for its own programs. */
export function ownRegistrations(
  host: string,
  ports: { readonly tcp?: number; readonly udp?: number },
  programs: readonly { readonly prog: number; readonly vers: number }[],
): Registration[] {
  const v6 = host.includes(':');
  const out: Registration[] = [];
  for (const { prog, vers } of programs) {
    if (ports.tcp !== undefined) {
      out.push({
        prog,
        vers,
        netid: v6 ? 'tcp6' : 'tcp',
        uaddr: formatUniversalAddress(host, ports.tcp),
        owner: SUPERUSER,
      });
    }
    if (ports.udp !== undefined) {
      out.push({
        prog,
        vers,
        netid: v6 ? 'udp6' : 'udp',
        uaddr: formatUniversalAddress(host, ports.udp),
        owner: SUPERUSER,
      });
    }
  }
  return out;
}
