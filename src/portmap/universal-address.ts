import { isIP } from 'node:net';

/**
 * RFC 1833 / RFC 5665 universal addresses for TCP and UDP: the host in its usual text form, then the port
 * as two decimal bytes, e.g. `127.0.0.1.8.1` for 127.0.0.1 port 2049.
 */
export function formatUniversalAddress(host: string, port: number): string {
  return `${host}.${port >> 8}.${port & 0xff}`;
}

export function parseUniversalAddress(uaddr: string): { host: string; port: number } | undefined {
  const m = /^(.+)\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (!m) return undefined;
  const hi = Number(m[2]);
  const lo = Number(m[3]);
  if (hi > 255 || lo > 255 || isIP(m[1]!) === 0) return undefined;
  return { host: m[1]!, port: (hi << 8) | lo };
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
