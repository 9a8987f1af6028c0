import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { identityOf, type StatLike } from './attrs.js';
import { attempt } from './errors.js';
import { nativeFsAt } from './native.js';
import { procPath } from './proc-path.js';
import type { Identity } from './types.js';

/**
 * What tells an object apart from a later one that reuses its inode number, strongest first:
 * - 'birth-time': statx's btime;
 * - 'file-handle': the kernel file handle (name_to_handle_at, no privilege needed), which on the
 *   filesystems listed below holds the inode generation, bumped on every reuse and stable for the
 *   object's life; kept in the identity's btime slot as a 63-bit digest of the handle;
 * - 'inode-number': nothing; such objects are only found again under an unchanged name.
 */
export type IdentityKind = 'birth-time' | 'file-handle' | 'inode-number';

/**
 * statfs f_type of filesystems whose handles carry the generation (ext2/3/4, xfs, btrfs, f2fs). Others are
 * left out on purpose: a FUSE handle holds the daemon's node id, which a daemon may hand out anew for
 * the same file after the kernel forgets it, so it would make live objects look replaced.
 */
const GENERATION_HANDLES = new Set<number>([0xef53, 0x58465342, 0x9123683e, 0xf2f52010]);

/** By st_dev: whether that filesystem's handles carry a generation. Filesystems are few; never evicted. */
const generationHandles = new Map<bigint, boolean>();

const EMPTY = Buffer.alloc(0);

/** The identity of the object `fd` refers to (any descriptor, O_PATH included), `st` being its stat. */
export function identityOfFd(fd: number, st: StatLike): Identity {
  const at = nativeFsAt();
  // Without the addon there are no file handles: the portable engine identifies such objects the same way.
  if (at === undefined || st.birthtimeNs !== 0n || !hasGenerationHandles(st.dev, () => fsTypeOf(fd)))
    return identityOf(st);
  return withHandle(st, at.nameToHandleAt(fd, EMPTY, at.constants.AT_EMPTY_PATH));
}

/** Which identity objects like `fd` (an export root) get, for the start-up log and the exports registry. */
export function identityKindOf(fd: number, st: StatLike): IdentityKind {
  if (st.birthtimeNs !== 0n) return 'birth-time';
  return identityOfFd(fd, st).btime !== 0n ? 'file-handle' : 'inode-number';
}

/** A 63-bit digest of a kernel file handle, never 0 (0 means "nothing tells reuse apart"). */
export function handleTag(handle: Buffer): bigint {
  const tag = createHash('sha256').update(handle).digest().readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
  return tag === 0n ? 1n : tag;
}

function withHandle(st: StatLike, got: { handle: Buffer } | string): Identity {
  return typeof got === 'string'
    ? identityOf(st)
    : { dev: st.dev, ino: st.ino, btime: handleTag(got.handle) };
}

function hasGenerationHandles(dev: bigint, fsType: () => number | undefined): boolean {
  let known = generationHandles.get(dev);
  if (known === undefined) {
    const type = fsType();
    if (type === undefined) return false;
    known = GENERATION_HANDLES.has(type);
    generationHandles.set(dev, known);
  }
  return known;
}

/** statfs f_type of the filesystem `fd` is on; the magic link leads to exactly that object. */
function fsTypeOf(fd: number): number | undefined {
  const st = attempt(() => fs.statfsSync(procPath(fd)));
  return st.ok ? st.value.type : undefined;
}

/**
 * The identity of an object from its statx and, where the filesystem reports no birth time, its kernel
 * file handle (both from one FsOps call). `fsTypeOf` is asked only the first time a filesystem is seen
 * without birth times, to learn whether its handles carry a generation.
 */
export async function identityFromStat(
  st: StatLike,
  handle: Buffer | undefined,
  fsTypeOf: () => Promise<number | undefined>,
): Promise<Identity> {
  if (st.birthtimeNs !== 0n || handle === undefined) return identityOf(st);
  let known = generationHandles.get(st.dev);
  if (known === undefined) {
    const type = await fsTypeOf();
    if (type === undefined) return identityOf(st);
    known = GENERATION_HANDLES.has(type);
    generationHandles.set(st.dev, known);
  }
  return known ? { dev: st.dev, ino: st.ino, btime: handleTag(handle) } : identityOf(st);
}
