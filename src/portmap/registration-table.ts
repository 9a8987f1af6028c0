import { IPPROTO_TCP, IPPROTO_UDP, type mapping } from '../xdr/generated/portmap.js';
import { formatUniversalAddress, parseUniversalAddress } from './universal-address.js';

/** Transport names (netids) as rpcbind and rpcinfo use them. */
export type Netid = 'tcp' | 'udp' | 'tcp6' | 'udp6' | (string & {});

/** One rpcbind registration: a program version reachable at `uaddr` over the transport `netid`. */
export interface Registration {
  readonly prog: number;
  readonly vers: number;
  readonly netid: Netid;
  readonly uaddr: string;
  readonly owner: string;
}

export const SUPERUSER = 'superuser';

/** The portmap v2 view of the IPv4 transports (portmap v2 cannot describe anything else). */
export function netidOfProtocol(prot: number): Netid | undefined {
  return prot === IPPROTO_TCP ? 'tcp' : prot === IPPROTO_UDP ? 'udp' : undefined;
}

export function protocolOfNetid(netid: Netid): number | undefined {
  return netid === 'tcp' ? IPPROTO_TCP : netid === 'udp' ? IPPROTO_UDP : undefined;
}

/**
 * The registrations a portmapper answers from. As rpcbind, a (prog, vers, netid) triple is registered at
 * most once: a second SET fails until the first is UNSET.
 */
export class RegistrationTable {
  readonly #entries: Registration[] = [];

  set(reg: Registration): boolean {
    if (this.#entries.some((e) => e.prog === reg.prog && e.vers === reg.vers && e.netid === reg.netid))
      return false;
    this.#entries.push(Object.freeze({ ...reg }));
    return true;
  }

  /** Removes the version's registrations on `netid`, or on every transport if netid is undefined. */
  unset(prog: number, vers: number, netid?: Netid): boolean {
    let removed = false;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!;
      if (e.prog === prog && e.vers === vers && (netid === undefined || e.netid === netid)) {
        this.#entries.splice(i, 1);
        removed = true;
      }
    }
    return removed;
  }

  /** The exact registration, if any. */
  find(prog: number, vers: number, netid: Netid): Registration | undefined {
    return this.#entries.find((e) => e.prog === prog && e.vers === vers && e.netid === netid);
  }

  /**
   * What rpcbind answers a GETPORT/GETADDR with: the exact version, or else another version of the same
   * program on that transport, so the caller reaches the server and learns the versions it supports
   * from its PROG_MISMATCH reply.
   */
  findForCaller(prog: number, vers: number, netid: Netid): Registration | undefined {
    return this.find(prog, vers, netid) ?? this.#entries.find((e) => e.prog === prog && e.netid === netid);
  }

  list(): readonly Registration[] {
    return [...this.#entries];
  }

  /** PMAPPROC_SET: a portmap v2 mapping, registered for IPv4 on the given port. */
  setMapping(m: mapping, owner: string): boolean {
    const netid = netidOfProtocol(m.prot);
    if (netid === undefined || m.port > 0xffff) return false;
    return this.set({
      prog: m.prog,
      vers: m.vers,
      netid,
      uaddr: formatUniversalAddress('0.0.0.0', m.port),
      owner,
    });
  }

  /** PMAPPROC_UNSET: the version's IPv4 TCP and UDP registrations (prot and port are ignored, per RFC 1833). */
  unsetMapping(m: mapping): boolean {
    const tcp = this.unset(m.prog, m.vers, 'tcp');
    const udp = this.unset(m.prog, m.vers, 'udp');
    return tcp || udp;
  }

  /** PMAPPROC_GETPORT: the port, or 0 when the program is not registered on that protocol. */
  getPort(m: mapping): number {
    const netid = netidOfProtocol(m.prot);
    if (netid === undefined) return 0;
    const reg = this.findForCaller(m.prog, m.vers, netid);
    return (reg && parseUniversalAddress(reg.uaddr)?.port) ?? 0;
  }

  /** PMAPPROC_DUMP: every IPv4 TCP/UDP registration as a portmap v2 mapping. */
  mappings(): mapping[] {
    const out: mapping[] = [];
    for (const e of this.#entries) {
      const prot = protocolOfNetid(e.netid);
      const port = parseUniversalAddress(e.uaddr)?.port;
      if (prot !== undefined && port !== undefined) out.push({ prog: e.prog, vers: e.vers, prot, port });
    }
    return out;
  }
}
