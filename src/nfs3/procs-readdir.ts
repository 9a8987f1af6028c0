import type { CatalogObject } from '../catalog/types.js';
import type { CallContext } from '../rpc/types.js';
import { Access3 } from '../vfs/access.js';
import type { Attrs } from '../vfs/attrs.js';
import { type DirEntry, DOT_COOKIE, DOTDOT_COOKIE, startIndex } from '../vfs/readdir.js';
import { type Errno, FileType, type FsResult, type Identity, sameIdentity } from '../vfs/types.js';
import {
  type entry3,
  type entryplus3,
  nfsstat3,
  type READDIR3args,
  type READDIR3res,
  type READDIRPLUS3args,
  type READDIRPLUS3res,
} from '../xdr/generated/nfs3.js';
import { NO_ATTRS, postOp } from './attributes.js';
import { type Nfs3Deps, readdirLimit } from './deps.js';
import { attrsOf } from './procs-attrs.js';
import { type Target, target } from './request.js';
import { statusOf } from './status.js';

const xdrString = (n: number) => 4 + ((n + 3) & ~3);
/** READDIR3resok without entries: status, post_op_attr with fattr3, cookieverf, list end, eof. */
const READDIR_BASE = 4 + 4 + 84 + 8 + 4 + 4;
const ATTRS_BYTES = 4 + 84;
const HANDLE_BYTES = 4 + 4 + 32;
/**
 * Objects one READDIRPLUS may look up and record for the first time. Each costs an open, a descriptor
 * and catalog work that must be committed before the reply, all done synchronously: a 1 MiB reply of
 * short names would stage some 6,000 at once and hold the event loop for a second. A page that reaches
 * the limit ends there (eof false); the next one goes on.
 */
const MAX_NEW_OBJECTS = 256;
/** How many entries of a page are described at once. */
const DESCRIBE_WINDOW = 64;

async function listing(t: Target) {
  if (t.node.type !== FileType.DIR) return { ok: false as const, errno: 'ENOTDIR' as const };
  return await t.fs.readdir(t.node, t.caller);
}

/**
 * READDIR and READDIRPLUS never drop an entry that is still there: one they cannot describe ends the
 * page early (eof false, the client asks again from the last cookie it got), or, in READDIRPLUS, is sent
 * without attributes and handle. Only an entry removed since the listing was read is left out. eof is
 * true only when the page holds the directory's last entry.
 */
export async function readdir(d: Nfs3Deps, ctx: CallContext, args: READDIR3args): Promise<READDIR3res> {
  // No more than FSINFO promises (one datagram over UDP), whatever the client asks: it bounds the work
  // and memory of one call.
  const count = readdirLimit(ctx.peer.transport, args.count);
  const r = await target(d.objects, ctx, args.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_attributes: NO_ATTRS } };
  const t = r.t;
  const list = await listing(t);
  if (!list.ok) return { status: statusOf(list.errno), resfail: { dir_attributes: await attrsOf(t) } };
  const entries: entry3[] = [];
  const all = list.value.entries;
  let size = READDIR_BASE;
  let failed: Errno | undefined;
  let i = startIndex(all, args.cookie);
  for (; i < all.length; i++) {
    const e = all[i]!;
    const bytes = 4 + 8 + xdrString(e.name.length) + 8;
    if (size + bytes > count) break;
    const fileid = await t.fs.entryFileid(t.node, e);
    if (!fileid.ok) {
      if (fileid.errno === 'ENOENT') continue; // removed since the listing was taken
      failed = fileid.errno;
      break;
    }
    entries.push({ fileid: fileid.value, name: e.name, cookie: e.cookie });
    size += bytes;
  }
  if (entries.length === 0 && i < all.length) {
    const status = failed === undefined ? nfsstat3.NFS3ERR_TOOSMALL : statusOf(failed);
    return { status, resfail: { dir_attributes: await attrsOf(t) } };
  }
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      dir_attributes: await attrsOf(t),
      cookieverf: list.value.verifier,
      reply: { entries, eof: i >= all.length },
    },
  };
}

export async function readdirplus(
  d: Nfs3Deps,
  ctx: CallContext,
  args: READDIRPLUS3args,
): Promise<READDIRPLUS3res> {
  // Capped as READDIR's count is; dircount is never more than the whole reply may hold.
  const maxcount = readdirLimit(ctx.peer.transport, args.maxcount);
  const dircount = Math.min(args.dircount, maxcount);
  const r = await target(d.objects, ctx, args.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_attributes: NO_ATTRS } };
  const t = r.t;
  const list = await listing(t);
  if (!list.ok) return { status: statusOf(list.errno), resfail: { dir_attributes: await attrsOf(t) } };
  const all = list.value.entries;
  const entries: entryplus3[] = [];
  let size = READDIR_BASE;
  let dirBytes = 0;
  // Looking entries up needs search (x) permission on the directory, checked once for the whole reply.
  const searchable = await t.fs.access(t.node, t.caller, Access3.LOOKUP);
  const mayLookup = searchable.ok && (searchable.value.granted & Access3.LOOKUP) !== 0;
  let failed: Errno | undefined;
  const budget = { newObjects: MAX_NEW_OBJECTS };
  // The entries the page may hold are known from their names alone (every entry is counted at its full
  // size): they are described concurrently, a window at a time, so the thread pool works on many at once,
  // then taken in cookie order until one ends the page.
  const start = startIndex(all, args.cookie);
  let i = start;
  let end = start;
  {
    let bytesSoFar = size;
    let dirSoFar = dirBytes;
    for (; end < all.length; end++) {
      const info = 8 + xdrString(all[end]!.name.length) + 8;
      const bytes = 4 + info + ATTRS_BYTES + HANDLE_BYTES;
      if (bytesSoFar + bytes > maxcount || dirSoFar + info > dircount) break;
      bytesSoFar += bytes;
      dirSoFar += info;
    }
  }
  page: for (let from = start; from < end; from += DESCRIBE_WINDOW) {
    const window = all.slice(from, Math.min(end, from + DESCRIBE_WINDOW));
    // Entries the catalog knows under their names need only an lstat each: one round trip for all.
    const knownNames = mayLookup
      ? window.filter((e) => e.cookie > DOTDOT_COOKIE && d.objects.known(t.obj.id, e.name) !== undefined)
      : [];
    const seen = new Map<DirEntry, FsResult<{ attrs: Attrs; ident: Identity }>>();
    if (knownNames.length > 0) {
      const stats = await t.fs.entriesIdentity(
        t.node,
        knownNames.map((e) => e.name),
      );
      for (const [k, e] of knownNames.entries()) seen.set(e, stats[k]!);
    }
    const described = await Promise.all(
      window.map((e) => plusEntry(d, t, e, mayLookup, budget, seen.get(e))),
    );
    for (const got of described) {
      const e = all[i]!;
      if ('full' in got) break page;
      if ('errno' in got) {
        if (got.errno !== 'ENOENT') {
          failed = got.errno;
          break page;
        }
        i++; // removed since the listing was taken
        continue;
      }
      const info = 8 + xdrString(e.name.length) + 8;
      entries.push(got.entry);
      size += 4 + info + ATTRS_BYTES + HANDLE_BYTES;
      dirBytes += info;
      i++;
    }
  }
  if (entries.length === 0 && i < all.length) {
    const status = failed === undefined ? nfsstat3.NFS3ERR_TOOSMALL : statusOf(failed);
    return { status, resfail: { dir_attributes: await attrsOf(t) } };
  }
  const dirAttributes = await attrsOf(t);
  // Handles of entries seen for the first time are in the catalog only once this commit is done.
  await d.objects.durable(t.sync);
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      dir_attributes: dirAttributes,
      cookieverf: list.value.verifier,
      reply: { entries, eof: i >= all.length },
    },
  };
}

/**
 * An entry whose object the catalog already has under this name: one lstat tells whether it is still
 * the same object (inode and birth time), without opening it.
 */
async function knownEntry(
  d: Nfs3Deps,
  t: Target,
  name: Buffer,
  seen?: FsResult<{ attrs: Attrs; ident: Identity }>,
): Promise<{ obj: CatalogObject; attrs: Attrs } | undefined> {
  const known = d.objects.known(t.obj.id, name);
  if (!known) return undefined;
  const e = seen ?? (await t.fs.entryIdentity(t.node, name, true));
  if (!e.ok || !sameIdentity(e.value.ident, known.ident)) return undefined;
  return { obj: known, attrs: e.value.attrs };
}

/**
 * An entry to send, or why there is none: 'ENOENT' if it is gone, any other errno ends the page, and so
 * does `full` (the page may record no more new objects).
 */
type PlusEntry = { readonly entry: entryplus3 } | { readonly errno: Errno } | { readonly full: true };

/** One READDIRPLUS entry with attributes and handle; without them when the entry cannot be looked up. */
async function plusEntry(
  d: Nfs3Deps,
  t: Target,
  e: DirEntry,
  mayLookup: boolean,
  budget: { newObjects: number },
  seen?: FsResult<{ attrs: Attrs; ident: Identity }>,
): Promise<PlusEntry> {
  const { name, cookie } = e;
  let obj: CatalogObject | undefined;
  let attrs: Attrs;
  if (cookie === DOT_COOKIE || (cookie === DOTDOT_COOKIE && t.obj.id === t.exp.rootId)) {
    const a = await t.fs.getattr(t.node);
    if (!a.ok) return a;
    obj = t.obj;
    attrs = a.value;
  } else if (cookie === DOTDOT_COOKIE) {
    const a = await t.fs.entryAttrs(t.node, name);
    if (!a.ok) return a;
    const parentId = t.obj.links[0]?.parentId;
    const parent = parentId === undefined ? undefined : d.objects.catalogObject(parentId);
    obj = parent && parent.ident.ino === a.value.fileid ? parent : undefined;
    attrs = a.value;
  } else if (!mayLookup) {
    return bareEntry(t, e);
  } else {
    const known = await knownEntry(d, t, name, seen);
    if (known) return { entry: withHandle(d, t, name, cookie, known.obj, known.attrs) };
    if (budget.newObjects <= 0) return { full: true };
    budget.newObjects--;
    const found = await t.fs.lookup(t.node, name, t.caller);
    // Not looked up (a mount point, a shortage of descriptors...): listed all the same, as knfsd does.
    if (!found.ok) return found.errno === 'ENOENT' ? found : bareEntry(t, e);
    obj = await d.objects.record(t.exp, t.obj.id, name, found.value);
    attrs = found.value.attrs;
  }
  return { entry: withHandle(d, t, name, cookie, obj, attrs) };
}

/** An entry listed without attributes or handle (the client can still LOOKUP it). */
async function bareEntry(t: Target, e: DirEntry): Promise<PlusEntry> {
  const fileid = await t.fs.entryFileid(t.node, e);
  if (!fileid.ok) return fileid;
  return {
    entry: {
      fileid: fileid.value,
      name: e.name,
      cookie: e.cookie,
      name_attributes: NO_ATTRS,
      name_handle: { handle_follows: false },
    },
  };
}

function withHandle(
  d: Nfs3Deps,
  t: Target,
  name: Buffer,
  cookie: bigint,
  obj: CatalogObject | undefined,
  attrs: Attrs,
): entryplus3 {
  return {
    fileid: attrs.fileid,
    name,
    cookie,
    name_attributes: postOp(attrs, t.exp),
    name_handle: obj
      ? { handle_follows: true, handle: { data: d.objects.handleFor(t.exp, obj) } }
      : { handle_follows: false },
  };
}
