import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number, so prefixes can be compared with shifts. IPv4-mapped IPv6 becomes IPv4. */
export type IpAddress =
  | { readonly family: 4; readonly value: bigint }
  | { readonly family: 6; readonly value: bigint };

export const IPV4_BITS = 32;
export const IPV6_BITS = 128;

export function familyBits(family: 4 | 6): number {
  return family === 4 ? IPV4_BITS : IPV6_BITS;
}

function parseIpv4Value(text: string): bigint {
  let value = 0n;
  for (const part of text.split('.')) value = (value << 8n) | BigInt(Number.parseInt(part, 10));
  return value;
}

function parseIpv6Value(text: string): bigint {
  // A zone index (fe80::1%eth0) says which link, not which host.
  const bare = text.split('%')[0]!;
  let groupsText = bare;
  let tail: bigint[] = [];
  const lastColon = bare.lastIndexOf(':');
  const maybeV4 = bare.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIpv4Value(maybeV4);
    tail = [v4 >> 16n, v4 & 0xffffn];
    groupsText = `${bare.slice(0, lastColon + 1)}`;
    if (groupsText.endsWith(':') && !groupsText.endsWith('::')) groupsText = groupsText.slice(0, -1);
  }
  const halves = groupsText.split('::');
  const toGroups = (s: string): bigint[] => (s === '' ? [] : s.split(':').map((g) => BigInt(`0x${g}`)));
  const head = toGroups(halves[0]!);
  const rest = halves.length > 1 ? toGroups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length - tail.length;
  const groups = [...head, ...new Array<bigint>(halves.length > 1 ? missing : 0).fill(0n), ...rest, ...tail];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | g;
  return value;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses a textual IP address (as Node reports peers, e.g. `::ffff:127.0.0.1`); undefined if it is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: parseIpv4Value(text) };
  if (!isIPv6(text)) return undefined;
  const value = parseIpv6Value(text);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & ~MAPPED_PREFIX };
  return { family: 6, value };
}

/** Whether the first `prefix` bits of two addresses of the same family agree. */
export function samePrefix(a: IpAddress, b: IpAddress, prefix: number): boolean {
  if (a.family !== b.family) return false;
  const shift = BigInt(familyBits(a.family) - prefix);
  return a.value >> shift === b.value >> shift;
}

export function isLoopback(address: string): boolean {
  const ip = parseIpAddress(address);
  if (!ip) return false;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}
