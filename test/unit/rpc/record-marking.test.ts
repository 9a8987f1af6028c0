import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  frameRecord,
  MAX_FRAGMENTS_PER_RECORD,
  RecordDecoder,
  recordMark,
} from '../../../src/rpc/record-marking.js';
import { fragmentHeader, framed } from './wire.js';

function drain(d: RecordDecoder): Buffer[] {
  const out: Buffer[] = [];
  for (let r = d.next(); r.kind === 'record'; r = d.next()) out.push(r.record);
  return out;
}

describe('record marking (RFC 5531 section 11)', () => {
  it('returns a single-fragment record inside one chunk as a view of that chunk, not a copy', () => {
    const d = new RecordDecoder();
    const chunk = framed(Buffer.from('abcdefgh'));
    d.push(chunk);
    const r = d.next();
    assert.equal(r.kind, 'record');
    assert.ok(r.kind === 'record');
    assert.equal(r.record.toString(), 'abcdefgh');
    assert.equal(r.record.buffer, chunk.buffer, 'shares memory with the chunk');
    assert.equal(r.record.byteOffset, chunk.byteOffset + 4);
    assert.equal(d.next().kind, 'need-more');
  });

  it('yields several records from one chunk, one at a time, so the caller can stop taking them', () => {
    const d = new RecordDecoder();
    d.push(
      Buffer.concat([framed(Buffer.from('one1')), framed(Buffer.from('two2')), framed(Buffer.from('thr3'))]),
    );
    const first = d.next();
    assert.ok(first.kind === 'record' && first.record.toString() === 'one1');
    assert.deepEqual(
      drain(d).map((b) => b.toString()),
      ['two2', 'thr3'],
    );
  });

  it('reassembles a record whose header and body are split across chunks at every byte', () => {
    const wire = Buffer.concat([framed(Buffer.from('0123456789ab')), framed(Buffer.from('xy'))]);
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new RecordDecoder();
      d.push(wire.subarray(0, cut));
      const early = drain(d);
      d.push(wire.subarray(cut));
      const all = [...early, ...drain(d)].map((b) => b.toString());
      assert.deepEqual(all, ['0123456789ab', 'xy'], `split at ${cut}`);
    }
  });

  it('joins a multi-fragment record into one buffer', () => {
    const d = new RecordDecoder();
    d.push(framed(Buffer.from('hello, fragmented world'), [5, 2, 7]));
    assert.deepEqual(
      drain(d).map((b) => b.toString()),
      ['hello, fragmented world'],
    );
  });

  it('skips empty non-final fragments and accepts an empty final one', () => {
    const d = new RecordDecoder();
    d.push(
      Buffer.concat([
        fragmentHeader(0, false),
        fragmentHeader(3, false),
        Buffer.from('abc'),
        fragmentHeader(0, true),
      ]),
    );
    assert.deepEqual(
      drain(d).map((b) => b.toString()),
      ['abc'],
    );
  });

  it('reports a fragment longer than the limit as soon as its header arrives, before buffering it', () => {
    const d = new RecordDecoder(1000);
    d.push(fragmentHeader(1001, true));
    assert.deepEqual(d.next(), { kind: 'too-large', size: 1001, limit: 1000 });
    d.push(Buffer.alloc(10));
    assert.equal(d.next().kind, 'too-large', 'the stream stays failed');
  });

  it('counts every fragment of a record towards the limit', () => {
    const d = new RecordDecoder(1000);
    d.push(Buffer.concat([fragmentHeader(600, false), Buffer.alloc(600), fragmentHeader(600, true)]));
    assert.deepEqual(d.next(), { kind: 'too-large', size: 1200, limit: 1000 });
  });

  it('accepts a record of exactly the limit', () => {
    const d = new RecordDecoder(1000);
    d.push(framed(Buffer.alloc(1000), [400]));
    assert.equal(drain(d)[0]!.length, 1000);
  });

  it('refuses a record split into more fragments than any real client uses', () => {
    const d = new RecordDecoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < MAX_FRAGMENTS_PER_RECORD + 1; i++)
      parts.push(fragmentHeader(1, false), Buffer.from('x'));
    d.push(Buffer.concat(parts));
    assert.equal(d.next().kind, 'too-many-fragments');
  });

  it('frames a reply as a last-fragment header followed by the unchanged views', () => {
    const a = Buffer.from('abcd');
    const b = Buffer.from('efgh1234');
    const out = frameRecord([a, b]);
    assert.deepEqual(out[0], Buffer.from([0x80, 0, 0, 12]));
    assert.equal(out[1], a);
    assert.equal(out[2], b);
    assert.deepEqual(recordMark(0x10203), Buffer.from([0x80, 0x01, 0x02, 0x03]));
  });
});
