import type { CatalogObject } from '../catalog/types.js';
import type { CallContext } from '../rpc/types.js';
import type { Attrs } from '../vfs/attrs.js';
import { type Caller, squash } from '../vfs/credentials.js';
import type { VNode } from '../vfs/types.js';
import { nfsstat3 } from '../xdr/generated/nfs3.js';
import { pinsOf } from './call-pins.js';
import type { ExportRuntime, RequestView } from './export-runtime.js';
import type { Objects } from './objects.js';
import type { NfsError } from './status.js';

/** A handle resolved for one request: the object, its descriptor and how the caller may act on it. */
export interface Target extends RequestView {
  readonly obj: CatalogObject;
  readonly node: VNode;
  /** Its attributes, when resolving it read them during this request (after it arrived). */
  readonly attrs?: Attrs;
}

export type TargetResult =
  | { readonly ok: true; readonly t: Target }
  | { readonly ok: false; readonly status: NfsError };

/** The caller's identity on this export: AUTH_SYS squashed per the export's options, AUTH_NONE anonymous. */
export function callerFor(ctx: CallContext, squashPolicy: Parameters<typeof squash>[3]): Caller {
  if (ctx.auth.flavor === 1) return squash(ctx.auth.uid, ctx.auth.gid, ctx.auth.gids, squashPolicy);
  return { uid: squashPolicy.anonUid, gid: squashPolicy.anonGid, gids: [] };
}

/** Whether this client may use the export at all, and through which view. */
export function viewFor(ctx: CallContext, exp: ExportRuntime): RequestView | NfsError {
  const access = exp.access(ctx.peer.address);
  if (!access) return nfsstat3.NFS3ERR_ACCES;
  if (access.secure && ctx.peer.port >= 1024) return nfsstat3.NFS3ERR_ACCES;
  const caller = callerFor(ctx, access.squash);
  return {
    exp,
    caller,
    fs: exp.viewFs(access.readOnly, access.crossMounts),
    data: access.readOnly ? exp.dataReadOnly : exp.data,
    crossMounts: access.crossMounts,
    sync: access.sync,
  };
}

/**
 * Handle -> object -> per-client view -> descriptor. Everything that can refuse the request (a handle
 * the server did not issue, an object that is gone, a client the export does not admit) is decided
 * before the filesystem is touched. The descriptor stays pinned until the call is done (call-pins.ts).
 */
export async function target(objects: Objects, ctx: CallContext, fh: Buffer): Promise<TargetResult> {
  const found = objects.identify(fh);
  if (!found.ok) return { ok: false, status: found.status };
  const view = viewFor(ctx, found.exp);
  if (typeof view === 'number') return { ok: false, status: view };
  const located = await objects.locate(found.exp, found.obj, pinsOf(ctx));
  if (!located.ok) return { ok: false, status: located.status };
  // A handle of an object on a mount inside the export, used by a client without crossmnt (another
  // client's, which may cross): that filesystem is not exported to this one.
  if (!view.crossMounts && located.node.mnt !== found.exp.root.mnt)
    return { ok: false, status: nfsstat3.NFS3ERR_ACCES };
  return {
    ok: true,
    t: { ...view, obj: found.obj, node: located.node, ...(located.attrs && { attrs: located.attrs }) },
  };
}
