import type { FileIdentity } from '../store/identity.js';
import type { ExportId, ObjectId } from '../store/ids.js';

import { ftype3 } from '../xdr/generated/nfs3.js';

/** ftype3 (RFC 1813 section 2.6), as generated from xdr/nfs3.x. */
export const FileType = ftype3;
export type FileType = ftype3;

export function isFileType(n: number): n is FileType {
  return Number.isInteger(n) && n >= FileType.NF3REG && n <= FileType.NF3FIFO;
}

/** One name of an object: the entry `name` in directory `parentId`. Names are bytes, not strings. */
export interface CatalogLink {
  readonly parentId: ObjectId;
  readonly name: Buffer;
}

/** 'gone': the object no longer exists (its last name was removed, or its inode was reused). */
export type ObjectState = 'live' | 'gone';

/** An object the server has handed a handle out for. Instances are immutable snapshots. */
export interface CatalogObject {
  readonly id: ObjectId;
  readonly exportId: ExportId;
  readonly ident: FileIdentity;
  readonly type: FileType;
  /** Random u32 chosen when the row is created; handles carry it. */
  readonly generation: number;
  readonly state: ObjectState;
  /** Known names. A directory has one, a file with hard links may have several, an export root none. */
  readonly links: readonly CatalogLink[];
  /** The directory of the last name removed while the object kept names the catalog does not know (hard
   * links made behind the server's back): the first place to look for it. */
  readonly lastDir?: ObjectId;
}
