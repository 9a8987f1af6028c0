import { familyBits, type IpAddress, parseIpAddress, samePrefix } from './ip-address.js';

/**
 * Who an exports(5) client entry names. `text` is kept as written: MOUNT EXPORT reports it.
 * A host name is resolved once, at load; until then (or if it does not resolve) it matches nobody.
 */
export type ClientSpec =
  | { readonly kind: 'anyone'; readonly text: string }
  | { readonly kind: 'network'; readonly text: string; readonly network: IpAddress; readonly prefix: number }
  | { readonly kind: 'hostname'; readonly text: string; readonly addresses: readonly IpAddress[] };

export type ClientSpecParse =
  | { readonly ok: true; readonly spec: ClientSpec }
  | { readonly ok: false; readonly message: string };

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function netmaskPrefix(mask: IpAddress): number | undefined {
  const bits = familyBits(mask.family);
  for (let prefix = 0; prefix <= bits; prefix++) {
    const expected = ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
    if (mask.value === expected) return prefix;
  }
  return undefined;
}

function maskTo(ip: IpAddress, prefix: number): IpAddress {
  const shift = BigInt(familyBits(ip.family) - prefix);
  return { family: ip.family, value: (ip.value >> shift) << shift };
}

/** Parses one client specification: `*`, an address, `addr/prefix`, `addr/netmask`, or a host name. */
export function parseClientSpec(text: string): ClientSpecParse {
  if (text === '*') return { ok: true, spec: { kind: 'anyone', text } };
  if (text.startsWith('@')) return { ok: false, message: `netgroups are not supported: ${text}` };
  if (/[*?[\]]/.test(text)) return { ok: false, message: `host name wildcards are not supported: ${text}` };
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const network = parseIpAddress(text.slice(0, slash));
    const maskText = text.slice(slash + 1);
    if (!network) return { ok: false, message: `not an address or CIDR: ${text}` };
    let prefix: number | undefined;
    if (/^\d{1,3}$/.test(maskText)) {
      prefix = Number(maskText);
      if (prefix > familyBits(network.family)) prefix = undefined;
    } else {
      const mask = parseIpAddress(maskText);
      if (mask && mask.family === network.family) prefix = netmaskPrefix(mask);
    }
    if (prefix === undefined) return { ok: false, message: `not an address or CIDR: ${text}` };
    return { ok: true, spec: { kind: 'network', text, network: maskTo(network, prefix), prefix } };
  }
  const address = parseIpAddress(text);
  if (address)
    return {
      ok: true,
      spec: { kind: 'network', text, network: address, prefix: familyBits(address.family) },
    };
  // All digits and dots is a mistyped address (300.1.1.1), never a host name.
  if (!HOSTNAME.test(text) || /^[\d.]+$/.test(text))
    return { ok: false, message: `not an address or CIDR: ${text}` };
  return { ok: true, spec: { kind: 'hostname', text, addresses: [] } };
}

export function specMatches(spec: ClientSpec, address: IpAddress): boolean {
  switch (spec.kind) {
    case 'anyone':
      return true;
    case 'network':
      return samePrefix(spec.network, address, spec.prefix);
    case 'hostname':
      return spec.addresses.some((a) => samePrefix(a, address, familyBits(a.family)));
  }
}
