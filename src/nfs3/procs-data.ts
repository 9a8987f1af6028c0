import type { CallContext } from '../rpc/types.js';
import { Access3 } from '../vfs/access.js';
import { MAX_OFFSET } from '../vfs/data.js';
import { FileType } from '../vfs/types.js';
import {
  type COMMIT3args,
  type COMMIT3res,
  nfsstat3,
  type READ3args,
  type READ3res,
  type WRITE3args,
  type WRITE3res,
} from '../xdr/generated/nfs3.js';
import { NO_ATTRS, NO_WCC, postOp, preOp } from './attributes.js';
import { maxTransfer, type Nfs3Deps } from './deps.js';
import { attrsOf } from './procs-attrs.js';
import { type Target, target } from './request.js';
import { type NfsError, statusOf } from './status.js';

/** Regular files only: a directory answers ISDIR, anything else INVAL (RFC 1813 READ/WRITE). */
function notRegular(t: Target): NfsError | undefined {
  if (t.node.type === FileType.REG) return undefined;
  return t.node.type === FileType.DIR ? nfsstat3.NFS3ERR_ISDIR : nfsstat3.NFS3ERR_INVAL;
}

/**
 * Whether the caller may read (or write) the file. As knfsd does, the owner may always do so (a client
 * creates a file read-only and then writes it), and read access also follows from execute permission,
 * since a client executing a binary reads it.
 */
async function allowed(t: Target, write: boolean): Promise<NfsError | undefined> {
  const wanted = write ? Access3.MODIFY | Access3.EXTEND : Access3.READ | Access3.EXECUTE;
  const got = await t.fs.access(t.node, t.caller, wanted);
  if (!got.ok) return statusOf(got.errno);
  if (write && t.fs.readOnly) return nfsstat3.NFS3ERR_ROFS;
  if ((got.value.granted & wanted) !== 0 || got.value.attrs.uid === t.caller.uid) return undefined;
  return nfsstat3.NFS3ERR_ACCES;
}

export async function read(d: Nfs3Deps, ctx: CallContext, args: READ3args): Promise<READ3res> {
  const r = await target(d.objects, ctx, args.file.data);
  if (!r.ok) return { status: r.status, resfail: { file_attributes: NO_ATTRS } };
  const t = r.t;
  const refused = notRegular(t) ?? (await allowed(t, false));
  if (refused !== undefined) return { status: refused, resfail: { file_attributes: await attrsOf(t) } };
  const got = await t.data.read(t.node, args.offset, Math.min(args.count, maxTransfer(ctx.peer.transport)));
  if (!got.ok) return { status: statusOf(got.errno), resfail: { file_attributes: NO_ATTRS } };
  const { data, eof, attrs } = got.value;
  return {
    status: nfsstat3.NFS3_OK,
    resok: { file_attributes: postOp(attrs, t.exp), count: data.length, eof, data },
  };
}

export async function write(d: Nfs3Deps, ctx: CallContext, args: WRITE3args): Promise<WRITE3res> {
  const r = await target(d.objects, ctx, args.file.data);
  if (!r.ok) return { status: r.status, resfail: { file_wcc: NO_WCC } };
  const t = r.t;
  const refused = notRegular(t) ?? (await allowed(t, true));
  if (refused !== undefined) return { status: refused, resfail: { file_wcc: NO_WCC } };
  // count names the bytes to write: more than were sent cannot be written (knfsd refuses such a call).
  if (args.count > args.data.length) return { status: nfsstat3.NFS3ERR_INVAL, resfail: { file_wcc: NO_WCC } };
  const data = args.data.length > args.count ? args.data.subarray(0, args.count) : args.data;
  const done = await t.data.write(t.node, args.offset, data, args.stable, t.caller);
  if (!done.ok) return { status: statusOf(done.errno), resfail: { file_wcc: NO_WCC } };
  const v = done.value;
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      file_wcc: { before: preOp(v.before), after: postOp(v.after, t.exp) },
      count: v.count,
      committed: v.committed,
      verf: d.writeVerifier,
    },
  };
}

export async function commit(d: Nfs3Deps, ctx: CallContext, args: COMMIT3args): Promise<COMMIT3res> {
  const r = await target(d.objects, ctx, args.file.data);
  if (!r.ok) return { status: r.status, resfail: { file_wcc: NO_WCC } };
  const t = r.t;
  // Flushing is writing: as knfsd, COMMIT needs write access (ROFS on a read-only export).
  const refused = notRegular(t) ?? (await allowed(t, true));
  if (refused !== undefined) return { status: refused, resfail: { file_wcc: NO_WCC } };
  if (args.offset > MAX_OFFSET) return { status: nfsstat3.NFS3ERR_INVAL, resfail: { file_wcc: NO_WCC } };
  // The whole file is synced whatever the range: fsync has no cheaper partial form that is also durable
  // for metadata, and a COMMIT covers everything the client wrote UNSTABLE.
  const done = await t.data.commit(t.node);
  if (!done.ok) return { status: statusOf(done.errno), resfail: { file_wcc: NO_WCC } };
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      file_wcc: { before: preOp(done.value.before), after: postOp(done.value.after, t.exp) },
      verf: d.writeVerifier,
    },
  };
}
