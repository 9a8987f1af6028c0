import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProcedureCodec } from '../../src/xdr/codec.js';
import { NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '../../src/xdr/generated/nfs3.js';
import { FixedXidCaller } from '../helpers/fixed-xid-caller.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { expectStatus, ROOT, sattr } from '../helpers/nfs3-client.js';

const P = NFS_V3_PROCEDURES;

describe('the duplicate request cache answers a retransmitted call with the first reply', () => {
  let m: Mounted;
  let raw: FixedXidCaller;
  let xid = 0x5eed0000;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    raw = await FixedXidCaller.connect(m.server.nfsPort);
  });
  after(async () => {
    await raw?.close();
    await m?.close();
  });

  const twice = async <A, R>(codec: ProcedureCodec<A, R>, args: A) => {
    const x = ++xid;
    const first = await raw.call(x, NFS_PROGRAM, NFS_V3, codec, args, ROOT);
    const second = await raw.call(x, NFS_PROGRAM, NFS_V3, codec, args, ROOT);
    return [first, second] as const;
  };

  it('REMOVE sent twice with the same xid gets NFS3_OK both times', async () => {
    writeFileSync(join(m.server.exportDir, 'doomed'), 'x');
    const args = { object: { dir: { data: m.root }, name: Buffer.from('doomed') } };
    const [first, second] = await twice(P.NFSPROC3_REMOVE, args);
    expectStatus(first, 'NFS3_OK');
    expectStatus(second, 'NFS3_OK');
    assert.deepEqual(second, first);
    // A new xid is a new request: now the name is really gone.
    expectStatus((await twice(P.NFSPROC3_REMOVE, args))[0], 'NFS3ERR_NOENT');
  });

  it('MKDIR and GUARDED CREATE retried with the same xid get the first reply, not EXIST', async () => {
    const where = (name: string) => ({ dir: { data: m.root }, name: Buffer.from(name) });
    const mk = await twice(P.NFSPROC3_MKDIR, { where: where('made-once'), attributes: sattr() });
    expectStatus(mk[0], 'NFS3_OK');
    expectStatus(mk[1], 'NFS3_OK');
    const cr = await twice(P.NFSPROC3_CREATE, {
      where: where('created-once'),
      how: { mode: 1, obj_attributes: sattr() },
    });
    expectStatus(cr[0], 'NFS3_OK');
    expectStatus(cr[1], 'NFS3_OK');
    assert.deepEqual(cr[1], cr[0]);
  });

  it('RENAME retried with the same xid gets the first reply, not NOENT', async () => {
    mkdirSync(join(m.server.exportDir, 'rename-src'));
    const args = {
      from: { dir: { data: m.root }, name: Buffer.from('rename-src') },
      to: { dir: { data: m.root }, name: Buffer.from('rename-dst') },
    };
    const [first, second] = await twice(P.NFSPROC3_RENAME, args);
    expectStatus(first, 'NFS3_OK');
    expectStatus(second, 'NFS3_OK');
  });

  it('the same xid with different arguments is not mistaken for a retransmission', async () => {
    writeFileSync(join(m.server.exportDir, 'a1'), '');
    const x = ++xid;
    const rm = (name: string) => ({ object: { dir: { data: m.root }, name: Buffer.from(name) } });
    expectStatus(await raw.call(x, NFS_PROGRAM, NFS_V3, P.NFSPROC3_REMOVE, rm('a1'), ROOT), 'NFS3_OK');
    expectStatus(await raw.call(x, NFS_PROGRAM, NFS_V3, P.NFSPROC3_REMOVE, rm('a2'), ROOT), 'NFS3ERR_NOENT');
  });
});
