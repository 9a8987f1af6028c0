import type { CatalogObject } from '../catalog/types.js';
import type { CallContext } from '../rpc/types.js';
import type { ObjectId } from '../store/ids.js';
import type { Attrs, WccData } from '../vfs/attrs.js';
import type { Created } from '../vfs/confined-fs.js';
import { SERVER_CALLER as SERVER } from '../vfs/credentials.js';
import { FileType, type FsResult, type Identity } from '../vfs/types.js';
import {
  type CREATE3args,
  type CREATE3res,
  createmode3,
  ftype3,
  type LINK3args,
  type LINK3res,
  type LOOKUP3args,
  type LOOKUP3res,
  type MKDIR3args,
  type MKDIR3res,
  type MKNOD3args,
  type MKNOD3res,
  nfsstat3,
  type post_op_attr,
  type REMOVE3args,
  type REMOVE3res,
  type RENAME3args,
  type RENAME3res,
  type RMDIR3args,
  type RMDIR3res,
  type SYMLINK3args,
  type SYMLINK3res,
  type sattr3,
  type wcc_data,
} from '../xdr/generated/nfs3.js';
import { NO_ATTRS, NO_WCC, postOp, preOp, toFattr3, wcc, wccOf } from './attributes.js';
import type { Nfs3Deps } from './deps.js';
import { attrsOf } from './procs-attrs.js';
import { type Target, target } from './request.js';
import { isEmptyRequest, postCreateRequest, requestedMode } from './sattr.js';
import { type NfsError, statusOf } from './status.js';

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

/** Directory attributes as they are now, for the wcc_data of a failed operation. */
async function dirWccNow(t: Target): Promise<wcc_data> {
  const a = await t.fs.getattr(t.node);
  return a.ok ? { before: preOp(wccOf(a.value)), after: postOp(a.value, t.exp) } : NO_WCC;
}

type DiropResult =
  | {
      status: typeof nfsstat3.NFS3_OK;
      resok: {
        obj: { handle_follows: true; handle: { data: Buffer } };
        obj_attributes: post_op_attr;
        dir_wcc: wcc_data;
      };
    }
  | { status: NfsError; resfail: { dir_wcc: wcc_data } };

/**
 * The common end of CREATE, MKDIR, SYMLINK and MKNOD: record the new object in the catalog, apply the
 * remaining client attributes, wait for the catalog commit, then hand out the handle.
 */
async function finishCreate(
  d: Nfs3Deps,
  dir: Target,
  name: Buffer,
  make: () => Promise<FsResult<Created>>,
  attrs?: sattr3,
): Promise<DiropResult> {
  type Staged =
    | { readonly failed: DiropResult }
    | { readonly obj: CatalogObject; readonly objAttrs: Attrs; readonly dirWcc: WccData };
  const staged = await d.objects.locks.run([dir.obj.id], async (): Promise<Staged> => {
    const made = await make();
    if (!made.ok)
      return { failed: { status: statusOf(made.errno), resfail: { dir_wcc: await dirWccNow(dir) } } };
    let objAttrs = made.value.attrs;
    // Before record(): when the object is already cached, record() closes this duplicate descriptor.
    if (attrs) {
      const rest = postCreateRequest(attrs);
      if (!isEmptyRequest(rest)) {
        const set = await dir.fs.setattr(made.value.node, dir.caller, rest);
        if (set.ok) objAttrs = set.value.after;
      }
    }
    const obj = await d.objects.record(dir.exp, dir.obj.id, name, made.value);
    return { obj, objAttrs, dirWcc: made.value.dir };
  });
  if ('failed' in staged) return staged.failed;
  const fh = d.objects.handleFor(dir.exp, staged.obj);
  await d.objects.durable(dir.sync);
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      obj: { handle_follows: true, handle: { data: fh } },
      obj_attributes: postOp(staged.objAttrs, dir.exp),
      dir_wcc: wcc(staged.dirWcc, dir.exp),
    },
  };
}

export async function lookup(d: Nfs3Deps, ctx: CallContext, args: LOOKUP3args): Promise<LOOKUP3res> {
  const r = await target(d.objects, ctx, args.what.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_attributes: NO_ATTRS } };
  const t = r.t;
  if (t.node.type !== FileType.DIR)
    return { status: nfsstat3.NFS3ERR_NOTDIR, resfail: { dir_attributes: await attrsOf(t) } };
  const name = args.what.name;
  let obj = t.obj;
  let found: { obj: CatalogObject; attrs: Attrs };
  if (name.equals(DOT) || (name.equals(DOTDOT) && t.obj.id === t.exp.rootId)) {
    // `..` of the export root is the root itself: nothing above it is reachable.
    const a = await t.fs.access(t.node, t.caller, 0x02);
    if (!a.ok) return { status: statusOf(a.errno), resfail: { dir_attributes: await attrsOf(t) } };
    if ((a.value.granted & 0x02) === 0)
      return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_attributes: await attrsOf(t) } };
    found = { obj: t.obj, attrs: a.value.attrs };
  } else if (name.equals(DOTDOT)) {
    const parent = await parentOf(d, t);
    if (!parent.ok) return { status: parent.status, resfail: { dir_attributes: await attrsOf(t) } };
    found = parent.value;
  } else {
    const child = await t.fs.lookup(t.node, name, t.caller);
    if (!child.ok) return { status: statusOf(child.errno), resfail: { dir_attributes: await attrsOf(t) } };
    obj = await d.objects.record(t.exp, t.obj.id, name, child.value);
    found = { obj, attrs: child.value.attrs };
  }
  const fh = d.objects.handleFor(t.exp, found.obj);
  const dirAttrs = await attrsOf(t);
  await d.objects.durable(t.sync);
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      object: { data: fh },
      obj_attributes: postOp(found.attrs, t.exp),
      dir_attributes: dirAttrs,
    },
  };
}

/** `..` of a directory below the root: the catalog's parent, checked against what the filesystem says. */
async function parentOf(d: Nfs3Deps, t: Target) {
  const up = await t.fs.lookupParent(t.node, t.caller);
  if (!up.ok) return { ok: false as const, status: statusOf(up.errno) };
  const known = t.obj.links[0] ? d.objects.catalogObject(t.obj.links[0].parentId) : undefined;
  const parent =
    known && known.ident.ino === up.value.node.ident.ino && known.ident.dev === up.value.node.ident.dev
      ? known
      : d.objects.findObject(t.exp, up.value.node.ident);
  if (up.value.node.fd !== t.exp.root.fd) t.fs.closeVNode(up.value.node);
  if (!parent) return { ok: false as const, status: nfsstat3.NFS3ERR_ACCES as NfsError };
  return { ok: true as const, value: { obj: parent, attrs: up.value.attrs } };
}

export async function create(d: Nfs3Deps, ctx: CallContext, args: CREATE3args): Promise<CREATE3res> {
  const r = await target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const t = r.t;
  const name = args.where.name;
  const how = args.how;
  if (how.mode !== createmode3.EXCLUSIVE) {
    const mode = requestedMode(how.obj_attributes, 0o644);
    const exclusive = how.mode === createmode3.GUARDED;
    return finishCreate(
      d,
      t,
      name,
      () => t.fs.create(t.node, name, t.caller, mode, { exclusive }),
      how.obj_attributes,
    );
  }
  return finishCreate(d, t, name, () => createExclusive(t, name, how.verf));
}

/**
 * EXCLUSIVE CREATE: the verifier is kept in the new file's atime and mtime seconds (as knfsd does), so a
 * retransmitted CREATE with the same verifier finds "its" file and succeeds, and any other fails.
 */
async function createExclusive(t: Target, name: Buffer, verf: Buffer): Promise<FsResult<Created>> {
  const v0 = verf.readUInt32BE(0);
  const v1 = verf.readUInt32BE(4);
  const made = await t.fs.create(t.node, name, t.caller, 0o644, { exclusive: true });
  if (made.ok) {
    const stamped = await t.fs.setattr(made.value.node, SERVER, {
      atime: { seconds: v0, nseconds: 0 },
      mtime: { seconds: v1, nseconds: 0 },
    });
    return { ok: true, value: stamped.ok ? { ...made.value, attrs: stamped.value.after } : made.value };
  }
  if (made.errno !== 'EEXIST') return made;
  const existing = await t.fs.lookup(t.node, name, t.caller);
  if (
    existing.ok &&
    existing.value.attrs.type === FileType.REG &&
    existing.value.attrs.atime.seconds === v0 &&
    existing.value.attrs.mtime.seconds === v1
  ) {
    const dirNow = await t.fs.getattr(t.node);
    const dir = dirNow.ok
      ? { before: wccOf(dirNow.value), after: dirNow.value }
      : { before: undefined, after: undefined };
    return { ok: true, value: { ...existing.value, created: false, dir } };
  }
  if (existing.ok) t.fs.closeVNode(existing.value.node);
  return { ok: false, errno: 'EEXIST' };
}

export async function mkdir(d: Nfs3Deps, ctx: CallContext, args: MKDIR3args): Promise<MKDIR3res> {
  const r = await target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const mode = requestedMode(args.attributes, 0o755);
  const make = () => r.t.fs.mkdir(r.t.node, args.where.name, r.t.caller, mode);
  return finishCreate(d, r.t, args.where.name, make, args.attributes);
}

export async function symlink(d: Nfs3Deps, ctx: CallContext, args: SYMLINK3args): Promise<SYMLINK3res> {
  const r = await target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const make = () => r.t.fs.symlink(r.t.node, args.where.name, args.symlink.symlink_data, r.t.caller);
  return finishCreate(d, r.t, args.where.name, make);
}

export async function mknod(d: Nfs3Deps, ctx: CallContext, args: MKNOD3args): Promise<MKNOD3res> {
  const r = await target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const t = r.t;
  const what = args.what;
  switch (what.type) {
    case ftype3.NF3CHR:
    case ftype3.NF3BLK: {
      const dev = what.device;
      const mode = requestedMode(dev.dev_attributes, 0o644);
      const rdev = { major: dev.spec.specdata1, minor: dev.spec.specdata2 };
      const make = () => t.fs.mknod(t.node, args.where.name, what.type, t.caller, mode, rdev);
      return finishCreate(d, t, args.where.name, make, dev.dev_attributes);
    }
    case ftype3.NF3SOCK:
    case ftype3.NF3FIFO: {
      const mode = requestedMode(what.pipe_attributes, 0o644);
      const make = () => t.fs.mknod(t.node, args.where.name, what.type, t.caller, mode);
      return finishCreate(d, t, args.where.name, make, what.pipe_attributes);
    }
    default:
      return { status: nfsstat3.NFS3ERR_BADTYPE, resfail: { dir_wcc: await dirWccNow(t) } };
  }
}

/**
 * After a name was removed (REMOVE, RMDIR, RENAME over it): drop the descriptors the server holds for
 * the object unless it still has names (`linksLeft`), so a deleted file's space is freed and its inode
 * number can be reused (the birth time in its identity tells the reuse apart). An object that lives on
 * keeps them: its handles stay valid.
 */
function forgetIfGone(
  d: Nfs3Deps,
  t: Target,
  id: ObjectId | undefined,
  ident: Identity | undefined,
  linksLeft: bigint,
): void {
  if (linksLeft > 0n) return;
  if (ident) {
    t.exp.data.forget(ident);
    t.exp.dataReadOnly.forget(ident);
  }
  if (id === undefined) return;
  const o = d.objects.catalogObject(id);
  if (o?.state !== 'live') d.objects.forget(id);
}

/**
 * REMOVE and RMDIR. Removals need no commit wait: a name the catalog still lists after a crash is checked
 * against the filesystem when used, and a vanished object resolves to STALE.
 */
async function removeName(
  d: Nfs3Deps,
  ctx: CallContext,
  args: REMOVE3args,
  directory: boolean,
): Promise<REMOVE3res> {
  const r = await target(d.objects, ctx, args.object.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const t = r.t;
  const name = args.object.name;
  return d.objects.locks.run([t.obj.id], async (): Promise<REMOVE3res> => {
    const done = directory
      ? await t.fs.rmdir(t.node, name, t.caller)
      : await t.fs.remove(t.node, name, t.caller);
    if (!done.ok) return { status: statusOf(done.errno), resfail: { dir_wcc: await dirWccNow(t) } };
    const { removed, linksLeft } = done.value;
    forgetIfGone(d, t, d.objects.unlinkName(t.obj.id, name, linksLeft), removed, linksLeft);
    return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: wcc(done.value.dir, t.exp) } };
  });
}

export function remove(d: Nfs3Deps, ctx: CallContext, args: REMOVE3args): Promise<REMOVE3res> {
  return removeName(d, ctx, args, false);
}

export function rmdir(d: Nfs3Deps, ctx: CallContext, args: RMDIR3args): Promise<RMDIR3res> {
  return removeName(d, ctx, args, true);
}

export async function rename(d: Nfs3Deps, ctx: CallContext, args: RENAME3args): Promise<RENAME3res> {
  const fail = (status: NfsError, from: wcc_data = NO_WCC, to: wcc_data = NO_WCC): RENAME3res => ({
    status,
    resfail: { fromdir_wcc: from, todir_wcc: to },
  });
  const from = await target(d.objects, ctx, args.from.dir.data);
  if (!from.ok) return fail(from.status);
  const to = await target(d.objects, ctx, args.to.dir.data);
  if (!to.ok) return fail(to.status, await dirWccNow(from.t));
  const f = from.t;
  const t = to.t;
  if (f.exp.id !== t.exp.id) return fail(nfsstat3.NFS3ERR_XDEV, await dirWccNow(f), await dirWccNow(t));
  const moved = await d.objects.locks.run([f.obj.id, t.obj.id], async () => {
    const done = await f.fs.rename(f.node, args.from.name, t.node, args.to.name, f.caller);
    if (!done.ok) return fail(statusOf(done.errno), await dirWccNow(f), await dirWccNow(t));
    const replaced = done.value.replaced ? d.objects.findObject(f.exp, done.value.replaced) : undefined;
    const { replacedLinksLeft } = done.value;
    d.objects.moveName(f.obj.id, args.from.name, t.obj.id, args.to.name, replacedLinksLeft);
    forgetIfGone(d, f, replaced?.id, done.value.replaced, replacedLinksLeft);
    return done.value;
  });
  if ('status' in moved) return moved;
  // A renamed object's handle must still resolve after a crash: wait for the catalog to have the move.
  await d.objects.durable(f.sync);
  return {
    status: nfsstat3.NFS3_OK,
    resok: { fromdir_wcc: wcc(moved.fromDir, f.exp), todir_wcc: wcc(moved.toDir, t.exp) },
  };
}

export async function link(d: Nfs3Deps, ctx: CallContext, args: LINK3args): Promise<LINK3res> {
  const file = await target(d.objects, ctx, args.file.data);
  if (!file.ok) return { status: file.status, resfail: { file_attributes: NO_ATTRS, linkdir_wcc: NO_WCC } };
  const dir = await target(d.objects, ctx, args.link.dir.data);
  if (!dir.ok)
    return { status: dir.status, resfail: { file_attributes: await attrsOf(file.t), linkdir_wcc: NO_WCC } };
  const f = file.t;
  const t = dir.t;
  if (f.exp.id !== t.exp.id) {
    return {
      status: nfsstat3.NFS3ERR_XDEV,
      resfail: { file_attributes: await attrsOf(f), linkdir_wcc: await dirWccNow(t) },
    };
  }
  const done = await d.objects.locks.run([t.obj.id], async () => {
    const linked = await t.fs.link(f.node, t.node, args.link.name, t.caller);
    if (linked.ok)
      await d.objects.record(t.exp, t.obj.id, args.link.name, { node: f.node, attrs: linked.value.attrs });
    return linked;
  });
  if (!done.ok) {
    return {
      status: statusOf(done.errno),
      resfail: { file_attributes: await attrsOf(f), linkdir_wcc: await dirWccNow(t) },
    };
  }
  await d.objects.durable(t.sync);
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      file_attributes: postOp(done.value.attrs, f.exp),
      linkdir_wcc: wcc(done.value.dir, t.exp),
    },
  };
}

export { toFattr3 };
