/**
 * RFC 5531 section 11 record marking for stream transports: each record is a sequence of fragments, each
 * preceded by a 4-byte header whose top bit says "last fragment" and whose low 31 bits give its length.
 */

/** Large enough for a 1 MiB READ or WRITE payload plus headers. */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024 + 64 * 1024;

/**
 * Tiny fragments would let a peer make us hold one Buffer view per 5 bytes it sends; no real client
 * splits a call into more than a handful of fragments.
 */
export const MAX_FRAGMENTS_PER_RECORD = 1024;

const LAST_FRAGMENT = 0x80000000;
const LENGTH_MASK = 0x7fffffff;

export type RecordResult =
  | { kind: 'record'; record: Buffer }
  | { kind: 'need-more' }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'too-many-fragments'; limit: number };

/** The ways a stream can become unusable; the connection must be closed after any of them. */
export type RecordError = Extract<RecordResult, { kind: 'too-large' | 'too-many-fragments' }>;

/**
 * Streaming decoder: push socket chunks in, pull complete records out. Pulling (rather than a callback per
 * record) lets the transport stop taking records when too many calls are in flight, so one chunk full of
 * small calls cannot bypass that bound.
 */
export class RecordDecoder {
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private offset = 0;
  private available = 0;
  private fragments: Buffer[] = [];
  private recordSize = 0;
  private failed: RecordError | undefined;

  constructor(readonly maxRecordSize = DEFAULT_MAX_RECORD_SIZE) {}

  /** Bytes received but not yet returned as part of a record. */
  get bufferedBytes(): number {
    return this.available + this.recordSize;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  next(): RecordResult {
    if (this.failed) return this.failed;
    for (;;) {
      if (this.available < 4) return { kind: 'need-more' };
      const header = this.peekUint32();
      const length = header & LENGTH_MASK;
      const last = (header & LAST_FRAGMENT) !== 0;
      if (this.recordSize + length > this.maxRecordSize) {
        return this.fail({ kind: 'too-large', size: this.recordSize + length, limit: this.maxRecordSize });
      }
      if (this.available < 4 + length) return { kind: 'need-more' };
      this.skip(4);
      const fragment = this.take(length);
      if (!last) {
        if (length === 0) continue;
        if (this.fragments.length >= MAX_FRAGMENTS_PER_RECORD - 1) {
          return this.fail({ kind: 'too-many-fragments', limit: MAX_FRAGMENTS_PER_RECORD });
        }
        this.fragments.push(fragment);
        this.recordSize += length;
        continue;
      }
      if (this.fragments.length === 0) return { kind: 'record', record: fragment };
      this.fragments.push(fragment);
      const record = Buffer.concat(this.fragments, this.recordSize + length);
      this.fragments = [];
      this.recordSize = 0;
      return { kind: 'record', record };
    }
  }

  private fail(error: RecordError): RecordError {
    this.failed = error;
    this.chunks.length = 0;
    this.fragments = [];
    this.available = 0;
    this.recordSize = 0;
    return error;
  }

  private peekUint32(): number {
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= 4) return first.readUInt32BE(this.offset);
    let v = 0;
    let chunk = this.head;
    let at = this.offset;
    for (let i = 0; i < 4; i++) {
      while (at >= this.chunks[chunk]!.length) {
        chunk++;
        at = 0;
      }
      v = v * 256 + this.chunks[chunk]![at++]!;
    }
    return v;
  }

  private skip(n: number): void {
    this.take(n);
  }

  /** Removes n buffered bytes: a view when they lie in one chunk, otherwise a single copy. */
  private take(n: number): Buffer {
    this.available -= n;
    const first = this.chunks[this.head]!;
    if (first === undefined) return Buffer.alloc(0);
    if (first.length - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head]!;
      const count = Math.min(n - filled, chunk.length - this.offset);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.advance(count);
    }
    return out;
  }

  private advance(n: number): void {
    this.offset += n;
    while (this.head < this.chunks.length && this.offset >= this.chunks[this.head]!.length) {
      this.offset -= this.chunks[this.head]!.length;
      this.head++;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head > 64) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** The record mark for a complete record sent as one fragment. */
export function recordMark(length: number): Buffer {
  if (length > LENGTH_MASK) throw new RangeError(`record of ${length} bytes cannot be one fragment`);
  const mark = Buffer.allocUnsafe(4);
  mark.writeUInt32BE((LAST_FRAGMENT | length) >>> 0, 0);
  return mark;
}

/** A message as the chunks to write on a stream: the record mark, then the message's own views. */
export function frameRecord(parts: readonly Buffer[]): Buffer[] {
  let length = 0;
  for (const p of parts) length += p.length;
  return [recordMark(length), ...parts];
}
