import type { ExportId, ObjectId } from '../store/ids.js';
import type { KeyId } from './keyring.js';

/**
 * Handle format 1, 32 bytes, big-endian:
 *   format u8 | key id u8 | export id u16 | object id u64 | generation u32 | tag 16 bytes
 * The tag covers the 16 bytes before it, bound to the export's UUID.
 */
export const FORMAT_V1 = 1;
export const V1_LENGTH = 32;
export const V1_SEALED_LENGTH = 16;
export const TAG_LENGTH = 16;

export interface HandleFields {
  readonly keyId: KeyId;
  readonly exportId: ExportId;
  readonly objectId: ObjectId;
  /** The catalog object's generation (u32): a handle for an older object in the same row is stale. */
  readonly generation: number;
}

/** Writes the covered part of a v1 handle into out[0..16). */
export function writeV1Fields(out: Buffer, fields: HandleFields): void {
  out.writeUInt8(FORMAT_V1, 0);
  out.writeUInt8(fields.keyId, 1);
  out.writeUInt16BE(fields.exportId, 2);
  out.writeBigUInt64BE(fields.objectId, 4);
  out.writeUInt32BE(fields.generation, 12);
}

/** Reads the fields of a v1 handle; the values are unverified until the tag is checked. */
export function readV1Fields(raw: Buffer): {
  keyId: number;
  exportId: number;
  objectId: bigint;
  generation: number;
} {
  return {
    keyId: raw.readUInt8(1),
    exportId: raw.readUInt16BE(2),
    objectId: raw.readBigUInt64BE(4),
    generation: raw.readUInt32BE(12),
  };
}
