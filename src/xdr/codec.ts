import type { XdrReader } from './reader.js';
import type { XdrWriter } from './writer.js';

/** The generated description of one remote procedure: its number and how its arguments and results travel. */
export interface ProcedureCodec<A, R> {
  readonly proc: number;
  readonly name: string;
  decodeArgs(r: XdrReader): A;
  encodeArgs(w: XdrWriter, args: A): void;
  decodeRes(r: XdrReader): R;
  encodeRes(w: XdrWriter, res: R): void;
}

export function decodeVoid(_r: XdrReader): undefined {
  return undefined;
}

export function encodeVoid(_w: XdrWriter, _v: undefined): void {}

export function readFixedArray<T>(r: XdrReader, n: number, item: (r: XdrReader) => T): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = item(r);
  return out;
}

export function readVarArray<T>(r: XdrReader, max: number, minBytes: number, item: (r: XdrReader) => T): T[] {
  return readFixedArray(r, r.arrayLength(max, minBytes), item);
}

/** An RFC-style linked list (`T *next` chain), read iteratively so a long list cannot exhaust the stack. */
export function readList<T>(r: XdrReader, item: (r: XdrReader) => T): T[] {
  const out: T[] = [];
  while (r.bool()) out.push(item(r));
  return out;
}

export function writeFixedArray<T>(
  w: XdrWriter,
  a: readonly T[],
  n: number,
  item: (w: XdrWriter, v: T) => void,
): void {
  if (a.length !== n) throw new RangeError(`fixed array needs ${n} elements, got ${a.length}`);
  for (const v of a) item(w, v);
}

export function writeVarArray<T>(
  w: XdrWriter,
  a: readonly T[],
  max: number,
  item: (w: XdrWriter, v: T) => void,
): void {
  if (a.length > max) throw new RangeError(`array of ${a.length} elements exceeds maximum ${max}`);
  w.uint32(a.length);
  for (const v of a) item(w, v);
}

export function writeList<T>(w: XdrWriter, a: readonly T[], item: (w: XdrWriter, v: T) => void): void {
  for (const v of a) {
    w.bool(true);
    item(w, v);
  }
  w.bool(false);
}
