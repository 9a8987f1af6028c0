import { type CookieHasher, type DirEntry, nameHash } from '../../../src/vfs/readdir.js';

/**
 * READDIR cookies as nfsgate has always assigned them, written the plain way (BigInt hashes, one
 * comparator sort): '.' and '..' first, then names by hash, ties by bytes (then by arrival), and a name
 * whose hash is not above the previous cookie takes the previous cookie plus one. Clients hold these
 * cookies across restarts and upgrades, so every faster path must give exactly this.
 */
export function referenceCookies(
  names: readonly Buffer[],
  hash: (name: Buffer) => bigint = nameHash,
): DirEntry[] {
  const hashed = names.map((name, index) => ({ name, index, hash: hash(name) }));
  hashed.sort((a, b) =>
    a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : Buffer.compare(a.name, b.name) || a.index - b.index,
  );
  const entries: DirEntry[] = [
    { name: Buffer.from('.'), cookie: 1n },
    { name: Buffer.from('..'), cookie: 2n },
  ];
  let last = 2n;
  for (const { name, hash } of hashed) {
    const cookie = hash > last ? hash : last + 1n;
    entries.push({ name, cookie });
    last = cookie;
  }
  return entries;
}

/** A BigInt hash (below 2^64) in the form the listing builder takes. */
export function hasherOf(hash: (name: Buffer) => bigint): CookieHasher {
  return (name, into, at) => {
    const h = hash(name);
    into[at] = Number(h >> 32n);
    into[at + 1] = Number(h & 0xffffffffn);
  };
}
