import type { ExportId, ObjectId } from '../store/ids.js';
import type { ConfinedFs } from '../vfs/confined-fs.js';
import type { Caller, SquashPolicy } from '../vfs/credentials.js';
import type { DataIo } from '../vfs/data.js';
import type { IdentityKind } from '../vfs/reuse-tag.js';
import type { VNode } from '../vfs/types.js';

/** How one client may use an export, after matching its address against the export's client list. */
export interface ClientAccess {
  readonly readOnly: boolean;
  readonly squash: SquashPolicy;
  /** exports(5) `secure`: requests must come from a source port below 1024. */
  readonly secure: boolean;
  /** exports(5) `crossmnt` for this client: filesystems mounted inside the export may be entered. */
  readonly crossMounts: boolean;
  /** exports(5) `sync` (the default) or `async` for this client: see Objects.durable. */
  readonly sync: boolean;
}

/** An export as the NFS service sees it while serving: stored identity plus live filesystem access. */
export interface ExportRuntime {
  readonly id: ExportId;
  readonly uuid: Buffer;
  readonly fsid: bigint;
  /** The MOUNT path clients ask for, e.g. `/export`. */
  readonly name: string;
  readonly path: string;
  /** What tells its objects apart from later ones reusing their inode numbers (vfs/reuse-tag.ts). */
  readonly identity: IdentityKind;
  readonly fs: ConfinedFs;
  /** The same export's filesystem, read-only: used for clients whose options say `ro`. */
  readonly fsReadOnly: ConfinedFs;
  /** The view for a client: read-only or not, and whether it may cross into mounts inside the export
   * (`fs` and `fsReadOnly` cross them when any client may, for the server's own walks). */
  viewFs(readOnly: boolean, crossMounts: boolean): ConfinedFs;
  readonly data: DataIo;
  readonly dataReadOnly: DataIo;
  readonly root: VNode;
  readonly rootId: ObjectId;
  /** The client's access, or undefined when the export's client list does not admit it. */
  access(address: string): ClientAccess | undefined;
}

/** The caller and the filesystem view (rw or ro) one request acts through. */
export interface RequestView {
  readonly exp: ExportRuntime;
  readonly caller: Caller;
  readonly fs: ConfinedFs;
  readonly data: DataIo;
  /** Whether this client may use objects on filesystems mounted inside the export. */
  readonly crossMounts: boolean;
  /** Whether its catalog changes are synced before the reply (`sync`) or only written (`async`). */
  readonly sync: boolean;
}
