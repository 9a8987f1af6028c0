import type { FileIdentity } from '../store/identity.js';
import type { ExportId, ObjectId } from '../store/ids.js';

/** ftype3 (RFC 1813 section 2.6). */
export const FileType = {
  NF3REG: 1,
  NF3DIR: 2,
  NF3BLK: 3,
  NF3CHR: 4,
  NF3LNK: 5,
  NF3SOCK: 6,
  NF3FIFO: 7,
} as const;
export type FileType = (typeof FileType)[keyof typeof FileType];

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
}
