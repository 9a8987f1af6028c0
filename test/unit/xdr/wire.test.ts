import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as mount from '../../../src/xdr/generated/mount.js';
import * as nfs3 from '../../../src/xdr/generated/nfs3.js';
import * as rpc from '../../../src/xdr/generated/rpc.js';
import { XdrError, XdrReader, XdrWriter } from '../../../src/xdr/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encode<T>(fn: (w: XdrWriter, v: T) => void, v: T): Buffer {
  const w = new XdrWriter();
  fn(w, v);
  return w.finishConcat();
}

describe('golden bytes of real messages', () => {
  it('encodes an NFSv3 NULL call with AUTH_NONE exactly as RFC 5531 lays it out', () => {
    const msg: rpc.rpc_msg = {
      xid: 0x12345678,
      body: {
        mtype: rpc.msg_type.CALL,
        cbody: {
          rpcvers: 2,
          prog: 100003,
          vers: 3,
          proc: 0,
          cred: { flavor: rpc.auth_flavor.AUTH_NONE, body: Buffer.alloc(0) },
          verf: { flavor: rpc.auth_flavor.AUTH_NONE, body: Buffer.alloc(0) },
        },
      },
    };
    const bytes = encode(rpc.encode_rpc_msg, msg);
    assert.deepEqual(
      bytes,
      hex('12345678 00000000 00000002 000186a3 00000003 00000000 00000000 00000000 00000000 00000000'),
    );
    assert.deepEqual(rpc.decode_rpc_msg(new XdrReader(bytes)), msg);
  });

  it('encodes a successful MNT reply with its handle and auth flavors', () => {
    const res: mount.mountres3 = {
      fhs_status: mount.mountstat3.MNT3_OK,
      mountinfo: { fhandle: hex('0102030405060708'), auth_flavors: [1] },
    };
    assert.deepEqual(
      encode(mount.encode_mountres3, res),
      hex('00000000 00000008 0102030405060708 00000001 00000001'),
    );
  });

  it('pads a 5-byte file name to 8 bytes with zeros in LOOKUP3args', () => {
    const args: nfs3.LOOKUP3args = { what: { dir: { data: hex('deadbeef') }, name: Buffer.from('hello') } };
    assert.deepEqual(
      encode(nfs3.encode_LOOKUP3args, args),
      hex('00000004 deadbeef 00000005 68656c6c6f000000'),
    );
  });

  it('writes large opaque payloads by reference instead of copying them', () => {
    const data = Buffer.alloc(64 * 1024, 7);
    const w = new XdrWriter();
    nfs3.encode_READ3res(w, {
      status: 0,
      resok: { file_attributes: { attributes_follow: false }, count: data.length, eof: true, data },
    });
    const chunks = w.finish();
    assert.ok(
      chunks.some((c) => c.buffer === data.buffer && c.byteOffset === data.byteOffset),
      'the READ data is one of the output chunks',
    );
  });
});

describe('decoders refuse malformed input', () => {
  const getattrOk = encode(nfs3.encode_GETATTR3res, {
    status: 0,
    resok: {
      obj_attributes: {
        type: nfs3.ftype3.NF3REG,
        mode: 0o644,
        nlink: 1,
        uid: 0,
        gid: 0,
        size: 5n,
        used: 8n,
        rdev: { specdata1: 0, specdata2: 0 },
        fsid: 1n,
        fileid: 42n,
        atime: { seconds: 1, nseconds: 2 },
        mtime: { seconds: 3, nseconds: 4 },
        ctime: { seconds: 5, nseconds: 6 },
      },
    },
  });

  it('refuses every truncation of a valid message', () => {
    for (let n = 0; n < getattrOk.length; n++) {
      assert.throws(
        () => nfs3.decode_GETATTR3res(new XdrReader(getattrOk.subarray(0, n))),
        XdrError,
        `prefix ${n}`,
      );
    }
  });

  it('refuses a length that runs past the end of the input', () => {
    assert.throws(() => nfs3.decode_nfs_fh3(new XdrReader(hex('00000040 00000000'))), XdrError);
    assert.throws(
      () =>
        nfs3.decode_WRITE3args(new XdrReader(hex(`00000000 ${'00'.repeat(8)} 00000010 00000000 ffffffff`))),
      XdrError,
    );
  });

  it('refuses a length above the declared maximum (a 65-byte file handle, 17 AUTH_SYS groups)', () => {
    assert.throws(
      () => nfs3.decode_nfs_fh3(new XdrReader(Buffer.concat([hex('00000041'), Buffer.alloc(68)]))),
      /exceeds maximum 64/,
    );
    const authsys = Buffer.concat([
      hex('00000001 00000000 00000000 00000000 00000011'),
      Buffer.alloc(17 * 4),
    ]);
    assert.throws(() => rpc.decode_authsys_parms(new XdrReader(authsys)), /exceeds maximum 16/);
  });

  it('refuses an unknown union discriminant and an unknown enum value', () => {
    assert.throws(() => nfs3.decode_GETATTR3res(new XdrReader(hex('0001869f'))), /bad nfsstat3 value 99999/);
    assert.throws(() => nfs3.decode_createhow3(new XdrReader(hex('00000003'))), XdrError);
  });

  it('refuses non-zero padding and booleans other than 0 and 1', () => {
    assert.throws(() => nfs3.decode_nfs_fh3(new XdrReader(hex('00000001 ff000001'))), /non-zero padding/);
    assert.throws(() => nfs3.decode_post_op_attr(new XdrReader(hex('00000002'))), /bad bool/);
  });

  it('refuses an array length that could not fit in the remaining bytes before allocating it', () => {
    assert.throws(() => new XdrReader(hex('7fffffff')).arrayLength(0xffffffff, 4), /past end/);
  });
});
