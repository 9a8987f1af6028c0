import { specMatches } from './client-spec.js';
import type { ClientOptions } from './export-options.js';
import { parseIpAddress } from './ip-address.js';
import type { ExportConfig } from './server-config.js';

/** The options of the first client rule naming `address` (as exports(5): first match wins), if any. */
export function matchClient(exp: ExportConfig, address: string): ClientOptions | undefined {
  const ip = parseIpAddress(address);
  if (!ip) return undefined;
  return exp.clients.find((rule) => specMatches(rule.spec, ip))?.options;
}
