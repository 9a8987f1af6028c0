import { XdrError } from './errors.js';

/**
 * Bounds-checked XDR decoding over a Buffer. Bulk data (opaque, string) is returned as a view into the
 * input, never copied: callers that keep it beyond the request must copy it themselves.
 */
export class XdrReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end)
      throw new XdrError(`truncated: need ${n} bytes, have ${this.end - this.pos}`);
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uhyper(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  hyper(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    const v = this.uint32();
    if (v > 1) throw new XdrError(`bad bool ${v}`);
    return v === 1;
  }

  /** Fixed-length opaque: `n` bytes plus zero padding to a multiple of 4. */
  opaqueFixed(n: number): Buffer {
    // Arithmetic, not bitwise: lengths near 2^32 must not wrap around to a small number.
    const padded = n + ((4 - (n % 4)) % 4);
    this.need(padded);
    const start = this.pos;
    this.pos += padded;
    for (let i = start + n; i < this.pos; i++) {
      if (this.buf[i] !== 0) throw new XdrError('non-zero padding');
    }
    return this.buf.subarray(start, start + n);
  }

  /** Variable-length opaque (also `string`): a length no larger than `max`, then the bytes. */
  opaqueVar(max: number): Buffer {
    const n = this.uint32();
    if (n > max) throw new XdrError(`length ${n} exceeds maximum ${max}`);
    return this.opaqueFixed(n);
  }

  /**
   * Length of a variable array. Each element takes at least `minElementBytes` on the wire, so a length
   * that cannot fit in what is left is refused before anything is allocated for it.
   */
  arrayLength(max: number, minElementBytes: number): number {
    const n = this.uint32();
    if (n > max) throw new XdrError(`array length ${n} exceeds maximum ${max}`);
    if (n * minElementBytes > this.end - this.pos) throw new XdrError(`array length ${n} past end of input`);
    return n;
  }

  /** The undecoded rest of the input, as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }
}
