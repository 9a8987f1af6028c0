import type { CallContext } from '../rpc/types.js';
import { MUTATING_ACCESS } from '../vfs/access.js';
import type { KnownName } from '../vfs/confined-fs.js';
import { fsOps } from '../vfs/fs-ops.js';
import { FileType } from '../vfs/types.js';
import {
  type ACCESS3args,
  type ACCESS3res,
  FSF3_CANSETTIME,
  FSF3_HOMOGENEOUS,
  FSF3_LINK,
  FSF3_SYMLINK,
  type FSINFO3args,
  type FSINFO3res,
  type FSSTAT3args,
  type FSSTAT3res,
  type GETATTR3args,
  type GETATTR3res,
  nfsstat3,
  type PATHCONF3args,
  type PATHCONF3res,
  type post_op_attr,
  type READLINK3args,
  type READLINK3res,
  type SETATTR3args,
  type SETATTR3res,
} from '../xdr/generated/nfs3.js';
import { NO_ATTRS, NO_WCC, postOp, preOp, toFattr3, wccOf } from './attributes.js';
import { pinsOf } from './call-pins.js';
import { maxTransfer, type Nfs3Deps, readdirLimit } from './deps.js';
import { type Target, target } from './request.js';
import { setattrRequest } from './sattr.js';
import { statusOf } from './status.js';

/**
 * post_op_attr of a target, or nothing if it cannot be read (attributes are optional in failures). The
 * attributes its resolution read during this request serve when there are some: callers use this only
 * for objects the request did not change.
 */
export async function attrsOf(t: Target): Promise<post_op_attr> {
  if (t.attrs !== undefined) return postOp(t.attrs, t.exp);
  const a = await t.fs.getattr(t.node);
  return a.ok ? postOp(a.value, t.exp) : NO_ATTRS;
}

export async function getattr(d: Nfs3Deps, ctx: CallContext, args: GETATTR3args): Promise<GETATTR3res> {
  const r = await target(d.objects, ctx, args.object.data);
  if (!r.ok) return { status: r.status };
  // Checking the object's place read its attributes during this request: one statx, not two.
  const a =
    r.t.attrs !== undefined ? { ok: true as const, value: r.t.attrs } : await r.t.fs.getattr(r.t.node);
  if (!a.ok) return { status: statusOf(a.errno) };
  return { status: nfsstat3.NFS3_OK, resok: { obj_attributes: toFattr3(a.value, r.t.exp) } };
}

export async function setattr(d: Nfs3Deps, ctx: CallContext, args: SETATTR3args): Promise<SETATTR3res> {
  const r = await target(d.objects, ctx, args.object.data);
  if (!r.ok) return { status: r.status, resfail: { obj_wcc: NO_WCC } };
  const t = r.t;
  const guard = args.guard.check ? args.guard.obj_ctime : undefined;
  const names = t.node.type === FileType.LNK ? await knownNames(d, ctx, t) : [];
  const request = setattrRequest(args.new_attributes);
  const done = await d.objects.locks.run([t.obj.id], () =>
    t.fs.setattr(t.node, t.caller, request, guard, names),
  );
  if (!done.ok) {
    const now = await t.fs.getattr(t.node);
    const obj_wcc = now.ok ? { before: preOp(wccOf(now.value)), after: postOp(now.value, t.exp) } : NO_WCC;
    return { status: statusOf(done.errno), resfail: { obj_wcc } };
  }
  return {
    status: nfsstat3.NFS3_OK,
    resok: { obj_wcc: { before: preOp(done.value.before), after: postOp(done.value.after, t.exp) } },
  };
}

/** The names the catalog knows the object by, each with its parent's descriptor (symlink times are set
 * by name, never through the link). */
async function knownNames(d: Nfs3Deps, ctx: CallContext, t: Target): Promise<KnownName[]> {
  const names: KnownName[] = [];
  for (const link of t.obj.links) {
    const parent = d.objects.catalogObject(link.parentId);
    if (parent?.state !== 'live' || parent.exportId !== t.exp.id) continue;
    const dir = await d.objects.nodeOf(t.exp, parent, pinsOf(ctx));
    if (dir) names.push({ dir, name: link.name });
  }
  return names;
}

export async function access(d: Nfs3Deps, ctx: CallContext, args: ACCESS3args): Promise<ACCESS3res> {
  const r = await target(d.objects, ctx, args.object.data);
  if (!r.ok) return { status: r.status, resfail: { obj_attributes: NO_ATTRS } };
  const t = r.t;
  const got = await t.fs.access(t.node, t.caller, args.access);
  if (!got.ok) return { status: statusOf(got.errno), resfail: { obj_attributes: await attrsOf(t) } };
  const granted = t.fs.readOnly ? got.value.granted & ~MUTATING_ACCESS : got.value.granted;
  return {
    status: nfsstat3.NFS3_OK,
    resok: { obj_attributes: postOp(got.value.attrs, t.exp), access: granted & args.access },
  };
}

export async function readlink(d: Nfs3Deps, ctx: CallContext, args: READLINK3args): Promise<READLINK3res> {
  const r = await target(d.objects, ctx, args.symlink.data);
  if (!r.ok) return { status: r.status, resfail: { symlink_attributes: NO_ATTRS } };
  const t = r.t;
  if (t.node.type !== FileType.LNK)
    return { status: nfsstat3.NFS3ERR_INVAL, resfail: { symlink_attributes: await attrsOf(t) } };
  const target_ = await t.fs.readlink(t.node);
  if (!target_.ok)
    return { status: statusOf(target_.errno), resfail: { symlink_attributes: await attrsOf(t) } };
  return { status: nfsstat3.NFS3_OK, resok: { symlink_attributes: await attrsOf(t), data: target_.value } };
}

export async function fsstat(d: Nfs3Deps, ctx: CallContext, args: FSSTAT3args): Promise<FSSTAT3res> {
  const r = await target(d.objects, ctx, args.fsroot.data);
  if (!r.ok) return { status: r.status, resfail: { obj_attributes: NO_ATTRS } };
  const s = await r.t.fs.statfs(r.t.node);
  if (!s.ok) return { status: statusOf(s.errno), resfail: { obj_attributes: await attrsOf(r.t) } };
  const v = s.value;
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      obj_attributes: await attrsOf(r.t),
      tbytes: v.totalBytes,
      fbytes: v.freeBytes,
      abytes: v.availBytes,
      tfiles: v.totalFiles,
      ffiles: v.freeFiles,
      afiles: v.availFiles,
      invarsec: 0,
    },
  };
}

export async function fsinfo(d: Nfs3Deps, ctx: CallContext, args: FSINFO3args): Promise<FSINFO3res> {
  const r = await target(d.objects, ctx, args.fsroot.data);
  if (!r.ok) return { status: r.status, resfail: { obj_attributes: NO_ATTRS } };
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      obj_attributes: await attrsOf(r.t),
      rtmax: maxTransfer(ctx.peer.transport),
      rtpref: maxTransfer(ctx.peer.transport),
      rtmult: 4096,
      wtmax: maxTransfer(ctx.peer.transport),
      wtpref: maxTransfer(ctx.peer.transport),
      wtmult: 4096,
      dtpref: readdirLimit(ctx.peer.transport, 64 * 1024),
      // Writes are positioned with a double (node:fs), exact up to 2^53 - 1; beyond that they are FBIG.
      maxfilesize: BigInt(Number.MAX_SAFE_INTEGER),
      // Times are set with utimensat and nanoseconds; the portable fallback goes through node:fs, whose
      // times are doubles of seconds: microseconds.
      time_delta: { seconds: 0, nseconds: fsOps().kind === 'native' ? 1 : 1000 },
      properties: FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME,
    },
  };
}

export async function pathconf(d: Nfs3Deps, ctx: CallContext, args: PATHCONF3args): Promise<PATHCONF3res> {
  const r = await target(d.objects, ctx, args.object.data);
  if (!r.ok) return { status: r.status, resfail: { obj_attributes: NO_ATTRS } };
  const p = await r.t.fs.pathconf(r.t.node);
  if (!p.ok) return { status: statusOf(p.errno), resfail: { obj_attributes: await attrsOf(r.t) } };
  const v = p.value;
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      obj_attributes: await attrsOf(r.t),
      linkmax: v.linkMax,
      name_max: v.nameMax,
      no_trunc: v.noTrunc,
      chown_restricted: v.chownRestricted,
      case_insensitive: v.caseInsensitive,
      case_preserving: v.casePreserving,
    },
  };
}
