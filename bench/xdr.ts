import {
  type fattr3,
  type GETATTR3res,
  NFS_V3_PROCEDURES,
  type READDIRPLUS3res,
  type WRITE3args,
} from '../src/xdr/generated/nfs3.js';
import { XdrReader } from '../src/xdr/reader.js';
import { XdrWriter } from '../src/xdr/writer.js';
import { type Bounds, loopSync } from './measure.js';
import type { Emit } from './result.js';

const P = NFS_V3_PROCEDURES;
const HANDLE_BYTES = 32;
const READDIRPLUS_ENTRIES = 100;
const WRITE_PAYLOAD = 1024 * 1024;

function sampleAttributes(fileid: bigint): fattr3 {
  const t = { seconds: 1_700_000_000, nseconds: 123_456_789 };
  return {
    type: 1,
    mode: 0o644,
    nlink: 1,
    uid: 1000,
    gid: 1000,
    size: 4096n,
    used: 4096n,
    rdev: { specdata1: 0, specdata2: 0 },
    fsid: 0x1234_5678_9abc_def0n,
    fileid,
    atime: t,
    mtime: t,
    ctime: t,
  };
}

const handle = (n: number): Buffer => Buffer.alloc(HANDLE_BYTES, n & 0xff);

function sampleReaddirplus(): READDIRPLUS3res {
  const entries = Array.from({ length: READDIRPLUS_ENTRIES }, (_, i) => ({
    fileid: BigInt(1000 + i),
    name: Buffer.from(`f${String(i).padStart(6, '0')}`),
    cookie: BigInt(i + 1),
    name_attributes: { attributes_follow: true as const, attributes: sampleAttributes(BigInt(1000 + i)) },
    name_handle: { handle_follows: true as const, handle: { data: handle(i) } },
  }));
  return {
    status: 0,
    resok: {
      dir_attributes: { attributes_follow: true, attributes: sampleAttributes(2n) },
      cookieverf: Buffer.alloc(8, 7),
      reply: { entries, eof: false },
    },
  };
}

/** Encodes once with a fresh writer, as one contiguous buffer (what a decoder receives off the wire). */
function wire(encode: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter();
  encode(w);
  return w.finishConcat();
}

/** Decode and encode rates of the messages that dominate NFSv3 traffic. */
export function runXdr(emit: Emit, bounds: Bounds): void {
  const getattr: GETATTR3res = { status: 0, resok: { obj_attributes: sampleAttributes(42n) } };
  const readdirplus = sampleReaddirplus();
  const write: WRITE3args = {
    file: { data: handle(9) },
    offset: 0n,
    count: WRITE_PAYLOAD,
    stable: 0,
    data: Buffer.alloc(WRITE_PAYLOAD, 0x5a),
  };
  const cases = [
    { name: 'GETATTR3res', codec: P.NFSPROC3_GETATTR, side: 'res', value: getattr },
    {
      name: `READDIRPLUS3res ${READDIRPLUS_ENTRIES} entries`,
      codec: P.NFSPROC3_READDIRPLUS,
      side: 'res',
      value: readdirplus,
    },
    { name: 'WRITE3args 1 MiB', codec: P.NFSPROC3_WRITE, side: 'args', value: write },
  ] as const;

  const w = new XdrWriter();
  for (const c of cases) {
    // biome-ignore lint/suspicious/noExplicitAny: each case pairs its own codec with its own value
    const codec = c.codec as any;
    const encode =
      c.side === 'res'
        ? (x: XdrWriter) => codec.encodeRes(x, c.value)
        : (x: XdrWriter) => codec.encodeArgs(x, c.value);
    const decode =
      c.side === 'res' ? (r: XdrReader) => codec.decodeRes(r) : (r: XdrReader) => codec.decodeArgs(r);
    const bytes = wire(encode);

    const dec = loopSync(() => decode(new XdrReader(bytes)), bounds);
    emit({
      group: 'xdr',
      name: `decode ${c.name}`,
      value: dec.opsPerSec,
      unit: 'ops/s',
      extra: { ns_per_op: dec.nsPerOp, bytes: bytes.length },
    });

    const enc = loopSync(() => {
      encode(w);
      w.finish();
    }, bounds);
    emit({
      group: 'xdr',
      name: `encode ${c.name}`,
      value: enc.opsPerSec,
      unit: 'ops/s',
      extra: { ns_per_op: enc.nsPerOp, bytes: bytes.length },
    });
  }

  // The payload must come out as a view of the input and go in as a reference: a copy of 1 MiB per
  // WRITE would show up here as a rate in the thousands instead of the millions.
  const writeWire = wire((x) => P.NFSPROC3_WRITE.encodeArgs(x, write));
  const decoded = P.NFSPROC3_WRITE.decodeArgs(new XdrReader(writeWire));
  const decodeShares = decoded.data.buffer === writeWire.buffer;
  P.NFSPROC3_WRITE.encodeArgs(w, write);
  const encodeShares = w.finish().some((chunk) => chunk.buffer === write.data.buffer);
  emit({
    group: 'xdr',
    name: 'WRITE3args payload not copied',
    value: decodeShares && encodeShares ? 1 : 0,
    unit: 'flag',
    extra: { decode_view: decodeShares, encode_reference: encodeShares },
  });
}
