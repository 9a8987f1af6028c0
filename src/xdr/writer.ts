const SLAB_SIZE = 256 * 1024;
/** Opaque data at least this large is referenced, not copied, into the output. */
const REFERENCE_THRESHOLD = 8 * 1024;
const ZEROS = Buffer.alloc(4);

/**
 * XDR encoding into a reused slab. Each message is written after the previous one in the slab and
 * handed out as views, the way Node's own Buffer pool works: a socket may still hold the views of
 * earlier messages, so the slab is never rewound, only replaced when full. Large opaque payloads
 * (READ data) are not copied: they are passed through as their own chunks.
 */
export class XdrWriter {
  private slab: Buffer;
  private start = 0;
  private pos = 0;
  private chunks: Buffer[] = [];
  private chunksLength = 0;

  constructor(private readonly slabSize = SLAB_SIZE) {
    this.slab = Buffer.allocUnsafe(slabSize);
  }

  /** Bytes written for the current message so far. */
  get length(): number {
    return this.chunksLength + (this.pos - this.start);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    const pending = this.slab.subarray(this.start, this.pos);
    const size = Math.max(this.slabSize, (pending.length + n) * 2);
    const next = Buffer.allocUnsafe(size);
    pending.copy(next, 0);
    this.slab = next;
    this.start = 0;
    this.pos = pending.length;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.slab.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  int32(v: number): void {
    this.ensure(4);
    this.slab.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  uhyper(v: bigint): void {
    this.ensure(8);
    this.slab.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
  }

  hyper(v: bigint): void {
    this.ensure(8);
    this.slab.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.uint32(v ? 1 : 0);
  }

  /** Reserves a 4-byte slot to be filled later (e.g. a record mark or a count known only at the end). */
  reserve32(): number {
    this.ensure(4);
    const at = this.length;
    this.pos += 4;
    return at;
  }

  /** Fills a slot from reserve32(); only valid while the slot is still in the slab (no chunk flushed). */
  patch32(at: number, v: number): void {
    const offset = this.start + at;
    if (this.chunks.length > 0 || offset + 4 > this.pos) throw new Error('patch32 outside the current slab');
    this.slab.writeUInt32BE(v >>> 0, offset);
  }

  opaqueFixed(data: Uint8Array, n: number): void {
    if (data.length !== n) throw new RangeError(`fixed opaque needs ${n} bytes, got ${data.length}`);
    this.bytes(data);
  }

  opaqueVar(data: Uint8Array, max: number): void {
    if (data.length > max) throw new RangeError(`opaque of ${data.length} bytes exceeds maximum ${max}`);
    this.uint32(data.length);
    this.bytes(data);
  }

  string(data: Uint8Array | string, max: number): void {
    this.opaqueVar(typeof data === 'string' ? Buffer.from(data) : data, max);
  }

  private bytes(data: Uint8Array): void {
    const pad = (4 - (data.length & 3)) & 3;
    if (data.length >= REFERENCE_THRESHOLD) {
      this.flushSlab();
      const view = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
      this.chunks.push(view);
      this.chunksLength += view.length;
      if (pad) {
        this.chunks.push(ZEROS.subarray(0, pad));
        this.chunksLength += pad;
      }
      return;
    }
    this.ensure(data.length + pad);
    this.slab.set(data, this.pos);
    this.pos += data.length;
    for (let i = 0; i < pad; i++) this.slab[this.pos++] = 0;
  }

  private flushSlab(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.slab.subarray(this.start, this.pos));
      this.chunksLength += this.pos - this.start;
      this.start = this.pos;
    }
  }

  /** Ends the current message and returns it as one or more views; the writer starts a new message. */
  finish(): Buffer[] {
    this.flushSlab();
    const out = this.chunks;
    this.chunks = [];
    this.chunksLength = 0;
    this.start = this.pos = (this.pos + 7) & ~7;
    if (this.pos >= this.slab.length) {
      this.slab = Buffer.allocUnsafe(this.slabSize);
      this.start = this.pos = 0;
    }
    return out;
  }

  /** Ends the current message and returns it as one Buffer (copies only if it had several chunks). */
  finishConcat(): Buffer {
    const parts = this.finish();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}
