import { lookup as dnsLookup } from 'node:dns/promises';
import { type IpAddress, parseIpAddress } from './ip-address.js';
import type { ServerConfig } from './server-config.js';

export type HostLookup = (name: string) => Promise<readonly string[]>;

const systemLookup: HostLookup = async (name) => (await dnsLookup(name, { all: true })).map((a) => a.address);

/**
 * Resolves every host name in the configuration once. A name that does not resolve matches nobody
 * (as exportfs does) and is returned in `unresolved` so the caller can log it.
 */
export async function resolveHostNames(
  config: ServerConfig,
  lookup: HostLookup = systemLookup,
): Promise<{ config: ServerConfig; unresolved: string[] }> {
  const cache = new Map<string, readonly IpAddress[]>();
  const unresolved: string[] = [];
  const resolve = async (name: string): Promise<readonly IpAddress[]> => {
    const known = cache.get(name);
    if (known) return known;
    let addresses: IpAddress[] = [];
    try {
      addresses = (await lookup(name)).map(parseIpAddress).filter((a): a is IpAddress => a !== undefined);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) unresolved.push(name);
    cache.set(name, addresses);
    return addresses;
  };
  const exports = [];
  for (const exp of config.exports) {
    const clients = [];
    for (const rule of exp.clients) {
      if (rule.spec.kind !== 'hostname') clients.push(rule);
      else clients.push({ ...rule, spec: { ...rule.spec, addresses: await resolve(rule.spec.text) } });
    }
    exports.push({ ...exp, clients });
  }
  return { config: { ...config, exports }, unresolved };
}
