declare const exportIdBrand: unique symbol;
declare const objectIdBrand: unique symbol;

/** An export's stored id: assigned once, never reused, carried in every handle as a u16. */
export type ExportId = number & { readonly [exportIdBrand]: true };

/** A catalog row id: assigned once, never reused, carried in every handle as a u64. */
export type ObjectId = bigint & { readonly [objectIdBrand]: true };

export const MAX_EXPORT_ID = 0xffff;
export const MAX_OBJECT_ID = 0x7fff_ffff_ffff_ffffn; // SQLite rowids are signed 64-bit

export function isExportId(n: number): n is ExportId {
  return Number.isInteger(n) && n >= 1 && n <= MAX_EXPORT_ID;
}

export function isObjectId(n: bigint): n is ObjectId {
  return n >= 1n && n <= MAX_OBJECT_ID;
}

export function asExportId(n: number): ExportId {
  if (!isExportId(n)) throw new RangeError(`export id out of range: ${n}`);
  return n;
}

export function asObjectId(n: bigint): ObjectId {
  if (!isObjectId(n)) throw new RangeError(`object id out of range: ${n}`);
  return n;
}
