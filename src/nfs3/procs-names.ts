import type { CatalogObject } from '../catalog/types.js';
import type { CallContext } from '../rpc/types.js';
import type { ObjectId } from '../store/ids.js';
import type { Attrs } from '../vfs/attrs.js';
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
function dirWccNow(t: Target): wcc_data {
  const a = t.fs.getattr(t.node);
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
  made: FsResult<Created>,
  attrs?: sattr3,
): Promise<DiropResult> {
  if (!made.ok) return { status: statusOf(made.errno), resfail: { dir_wcc: dirWccNow(dir) } };
  let objAttrs = made.value.attrs;
  // Before record(): when the object is already cached, record() closes this duplicate descriptor.
  if (attrs) {
    const rest = postCreateRequest(attrs);
    if (!isEmptyRequest(rest)) {
      const set = dir.fs.setattr(made.value.node, dir.caller, rest);
      if (set.ok) objAttrs = set.value.after;
    }
  }
  const obj = d.objects.record(dir.exp, dir.obj.id, name, made.value);
  const fh = d.objects.handleFor(dir.exp, obj);
  await d.objects.durable();
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      obj: { handle_follows: true, handle: { data: fh } },
      obj_attributes: postOp(objAttrs, dir.exp),
      dir_wcc: wcc(made.value.dir, dir.exp),
    },
  };
}

export async function lookup(d: Nfs3Deps, ctx: CallContext, args: LOOKUP3args): Promise<LOOKUP3res> {
  const r = target(d.objects, ctx, args.what.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_attributes: NO_ATTRS } };
  const t = r.t;
  if (t.node.type !== FileType.DIR)
    return { status: nfsstat3.NFS3ERR_NOTDIR, resfail: { dir_attributes: attrsOf(t) } };
  const name = args.what.name;
  let obj = t.obj;
  let found: { obj: CatalogObject; attrs: Attrs };
  if (name.equals(DOT) || (name.equals(DOTDOT) && t.obj.id === t.exp.rootId)) {
    // `..` of the export root is the root itself: nothing above it is reachable.
    const a = t.fs.access(t.node, t.caller, 0x02);
    if (!a.ok) return { status: statusOf(a.errno), resfail: { dir_attributes: attrsOf(t) } };
    if ((a.value.granted & 0x02) === 0)
      return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_attributes: attrsOf(t) } };
    found = { obj: t.obj, attrs: a.value.attrs };
  } else if (name.equals(DOTDOT)) {
    const parent = parentOf(d, t);
    if (!parent.ok) return { status: parent.status, resfail: { dir_attributes: attrsOf(t) } };
    found = parent.value;
  } else {
    const child = t.fs.lookup(t.node, name, t.caller);
    if (!child.ok) return { status: statusOf(child.errno), resfail: { dir_attributes: attrsOf(t) } };
    obj = d.objects.record(t.exp, t.obj.id, name, child.value);
    found = { obj, attrs: child.value.attrs };
  }
  const fh = d.objects.handleFor(t.exp, found.obj);
  const dirAttrs = attrsOf(t);
  await d.objects.durable();
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
function parentOf(d: Nfs3Deps, t: Target) {
  const up = t.fs.lookupParent(t.node, t.caller);
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
  const r = target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const t = r.t;
  const name = args.where.name;
  const how = args.how;
  if (how.mode !== createmode3.EXCLUSIVE) {
    const made = t.fs.create(t.node, name, t.caller, requestedMode(how.obj_attributes, 0o644), {
      exclusive: how.mode === createmode3.GUARDED,
    });
    return finishCreate(d, t, name, made, how.obj_attributes);
  }
  // EXCLUSIVE: the verifier is kept in the new file's atime and mtime seconds (as knfsd does), so a
  // retransmitted CREATE with the same verifier finds "its" file and succeeds, and any other fails.
  const v0 = how.verf.readUInt32BE(0);
  const v1 = how.verf.readUInt32BE(4);
  const made = t.fs.create(t.node, name, t.caller, 0o644, { exclusive: true });
  if (made.ok) {
    const stamped = t.fs.setattr(made.value.node, SERVER, {
      atime: { seconds: v0, nseconds: 0 },
      mtime: { seconds: v1, nseconds: 0 },
    });
    const value = stamped.ok ? { ...made.value, attrs: stamped.value.after } : made.value;
    return finishCreate(d, t, name, { ok: true, value });
  }
  if (made.errno !== 'EEXIST') return finishCreate(d, t, name, made);
  const existing = t.fs.lookup(t.node, name, t.caller);
  if (
    existing.ok &&
    existing.value.attrs.type === FileType.REG &&
    existing.value.attrs.atime.seconds === v0 &&
    existing.value.attrs.mtime.seconds === v1
  ) {
    const dirNow = t.fs.getattr(t.node);
    const dirWcc = dirNow.ok
      ? { before: wccOf(dirNow.value), after: dirNow.value }
      : { before: undefined, after: undefined };
    return finishCreate(d, t, name, { ok: true, value: { ...existing.value, created: false, dir: dirWcc } });
  }
  if (existing.ok) t.fs.closeVNode(existing.value.node);
  return { status: nfsstat3.NFS3ERR_EXIST, resfail: { dir_wcc: dirWccNow(t) } };
}

export async function mkdir(d: Nfs3Deps, ctx: CallContext, args: MKDIR3args): Promise<MKDIR3res> {
  const r = target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const made = r.t.fs.mkdir(r.t.node, args.where.name, r.t.caller, requestedMode(args.attributes, 0o755));
  return finishCreate(d, r.t, args.where.name, made, args.attributes);
}

export async function symlink(d: Nfs3Deps, ctx: CallContext, args: SYMLINK3args): Promise<SYMLINK3res> {
  const r = target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const made = r.t.fs.symlink(r.t.node, args.where.name, args.symlink.symlink_data, r.t.caller);
  return finishCreate(d, r.t, args.where.name, made);
}

export async function mknod(d: Nfs3Deps, ctx: CallContext, args: MKNOD3args): Promise<MKNOD3res> {
  const r = target(d.objects, ctx, args.where.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const t = r.t;
  const what = args.what;
  switch (what.type) {
    case ftype3.NF3CHR:
    case ftype3.NF3BLK: {
      const dev = what.device;
      const made = t.fs.mknod(
        t.node,
        args.where.name,
        what.type,
        t.caller,
        requestedMode(dev.dev_attributes, 0o644),
        {
          major: dev.spec.specdata1,
          minor: dev.spec.specdata2,
        },
      );
      return finishCreate(d, t, args.where.name, made, dev.dev_attributes);
    }
    case ftype3.NF3SOCK:
    case ftype3.NF3FIFO: {
      const made = t.fs.mknod(
        t.node,
        args.where.name,
        what.type,
        t.caller,
        requestedMode(what.pipe_attributes, 0o644),
      );
      return finishCreate(d, t, args.where.name, made, what.pipe_attributes);
    }
    default:
      return { status: nfsstat3.NFS3ERR_BADTYPE, resfail: { dir_wcc: dirWccNow(t) } };
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
function removeName(d: Nfs3Deps, ctx: CallContext, args: REMOVE3args, directory: boolean): REMOVE3res {
  const r = target(d.objects, ctx, args.object.dir.data);
  if (!r.ok) return { status: r.status, resfail: { dir_wcc: NO_WCC } };
  const t = r.t;
  const done = directory
    ? t.fs.rmdir(t.node, args.object.name, t.caller)
    : t.fs.remove(t.node, args.object.name, t.caller);
  if (!done.ok) return { status: statusOf(done.errno), resfail: { dir_wcc: dirWccNow(t) } };
  const { removed, linksLeft } = done.value;
  forgetIfGone(d, t, d.objects.unlinkName(t.obj.id, args.object.name, linksLeft), removed, linksLeft);
  return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: wcc(done.value.dir, t.exp) } };
}

export function remove(d: Nfs3Deps, ctx: CallContext, args: REMOVE3args): REMOVE3res {
  return removeName(d, ctx, args, false);
}

export function rmdir(d: Nfs3Deps, ctx: CallContext, args: RMDIR3args): RMDIR3res {
  return removeName(d, ctx, args, true);
}

export async function rename(d: Nfs3Deps, ctx: CallContext, args: RENAME3args): Promise<RENAME3res> {
  const fail = (status: NfsError, from: wcc_data = NO_WCC, to: wcc_data = NO_WCC): RENAME3res => ({
    status,
    resfail: { fromdir_wcc: from, todir_wcc: to },
  });
  const from = target(d.objects, ctx, args.from.dir.data);
  if (!from.ok) return fail(from.status);
  const to = target(d.objects, ctx, args.to.dir.data);
  if (!to.ok) return fail(to.status, dirWccNow(from.t));
  const f = from.t;
  const t = to.t;
  if (f.exp.id !== t.exp.id) return fail(nfsstat3.NFS3ERR_XDEV, dirWccNow(f), dirWccNow(t));
  const done = f.fs.rename(f.node, args.from.name, t.node, args.to.name, f.caller);
  if (!done.ok) return fail(statusOf(done.errno), dirWccNow(f), dirWccNow(t));
  const replaced = done.value.replaced ? d.objects.findObject(f.exp, done.value.replaced) : undefined;
  const { replacedLinksLeft } = done.value;
  d.objects.moveName(f.obj.id, args.from.name, t.obj.id, args.to.name, replacedLinksLeft);
  forgetIfGone(d, f, replaced?.id, done.value.replaced, replacedLinksLeft);
  // A renamed object's handle must still resolve after a crash: wait for the catalog to have the move.
  await d.objects.durable();
  return {
    status: nfsstat3.NFS3_OK,
    resok: { fromdir_wcc: wcc(done.value.fromDir, f.exp), todir_wcc: wcc(done.value.toDir, t.exp) },
  };
}

export async function link(d: Nfs3Deps, ctx: CallContext, args: LINK3args): Promise<LINK3res> {
  const file = target(d.objects, ctx, args.file.data);
  if (!file.ok) return { status: file.status, resfail: { file_attributes: NO_ATTRS, linkdir_wcc: NO_WCC } };
  const dir = target(d.objects, ctx, args.link.dir.data);
  if (!dir.ok)
    return { status: dir.status, resfail: { file_attributes: attrsOf(file.t), linkdir_wcc: NO_WCC } };
  const f = file.t;
  const t = dir.t;
  if (f.exp.id !== t.exp.id) {
    return {
      status: nfsstat3.NFS3ERR_XDEV,
      resfail: { file_attributes: attrsOf(f), linkdir_wcc: dirWccNow(t) },
    };
  }
  const done = t.fs.link(f.node, t.node, args.link.name, t.caller);
  if (!done.ok) {
    return {
      status: statusOf(done.errno),
      resfail: { file_attributes: attrsOf(f), linkdir_wcc: dirWccNow(t) },
    };
  }
  d.objects.record(t.exp, t.obj.id, args.link.name, { node: f.node, attrs: done.value.attrs });
  await d.objects.durable();
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      file_attributes: postOp(done.value.attrs, f.exp),
      linkdir_wcc: wcc(done.value.dir, t.exp),
    },
  };
}

export { toFattr3 };
