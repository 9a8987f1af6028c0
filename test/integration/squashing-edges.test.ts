import assert from 'node:assert/strict';
import { chmodSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ftype3 } from '../../src/xdr/generated/nfs3.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, type Credentials, expectStatus, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

/** (uid_t)-1 and (gid_t)-1: chown(2) reads them as "leave unchanged". */
const MINUS_ONE = 0xffff_ffff;
const NOBODY = 65534;

type Squash = 'root_squash' | 'all_squash' | 'no_root_squash';

const CALLERS: { name: string; c: Credentials }[] = [
  { name: 'uid and gid 2^32-1', c: { uid: MINUS_ONE, gid: MINUS_ONE } },
  { name: 'uid 2^32-1', c: { uid: MINUS_ONE, gid: 1000 } },
  { name: 'gid 2^32-1', c: { uid: 1000, gid: MINUS_ONE } },
  { name: 'root with group 0 among its groups', c: { uid: 0, gid: 0, gids: [0] } },
  { name: 'a user with groups 0 and 2^32-1', c: { uid: 1000, gid: 1000, gids: [0, MINUS_ONE] } },
];

/** What knfsd makes of a credential: ids the kernel cannot set, and squashed ones, become anonymous. */
function expectedOwner(c: Credentials, squash: Squash): { uid: number; gid: number } {
  const anonymous = (id: number, isRoot: boolean) =>
    squash === 'all_squash' || id === MINUS_ONE || (squash === 'root_squash' && isRoot) ? NOBODY : id;
  return { uid: anonymous(c.uid, c.uid === 0), gid: anonymous(c.gid, c.gid === 0) };
}

for (const squash of ['root_squash', 'all_squash', 'no_root_squash'] as const) {
  describe(`what a caller creates on a ${squash} export belongs to its squashed ids`, () => {
    let m: Mounted;
    before(async () => {
      m = await serveAndMount({ options: `rw,${squash}` });
      chmodSync(m.server.exportDir, 0o777);
    });
    after(() => m?.close());

    CALLERS.forEach(({ name, c }, i) => {
      it(`${name}: CREATE 04755, MKDIR 02755, SYMLINK, MKNOD and LINK are never owned by root unless root is unsquashed`, async () => {
        const as = m.client.as(c);
        const want = expectedOwner(c, squash);
        const onDisk = (n: string) => {
          const st = lstatSync(join(m.server.exportDir, n));
          return { uid: st.uid, gid: st.gid };
        };
        const check = (n: string, reply: { uid: number; gid: number }) => {
          assert.deepEqual(onDisk(n), want, `${n} on disk`);
          assert.deepEqual({ uid: reply.uid, gid: reply.gid }, want, `${n} in the reply`);
          if (!(squash === 'no_root_squash' && c.uid === 0)) assert.notEqual(onDisk(n).uid, 0, n);
          if (!(squash === 'no_root_squash' && c.gid === 0)) assert.notEqual(onDisk(n).gid, 0, n);
        };

        const file = ok(
          await as.create(m.root, `f${i}`, { mode: 0, obj_attributes: sattr({ mode: 0o4755 }) }),
        ).resok;
        check(`f${i}`, attrsOf(file.obj_attributes));
        const dir = ok(await as.mkdir(m.root, `d${i}`, sattr({ mode: 0o2755 }))).resok;
        check(`d${i}`, attrsOf(dir.obj_attributes));
        const link = ok(await as.symlink(m.root, `l${i}`, 'anywhere')).resok;
        check(`l${i}`, attrsOf(link.obj_attributes));
        const fifo = ok(
          await as.mknod(m.root, `p${i}`, { type: ftype3.NF3FIFO, pipe_attributes: sattr({ mode: 0o4755 }) }),
        ).resok;
        check(`p${i}`, attrsOf(fifo.obj_attributes));
        const linked = ok(await as.link(handleOf(file.obj), m.root, `h${i}`)).resok;
        check(`h${i}`, attrsOf(linked.file_attributes));
      });
    });
  });
}

describe('SETATTR with ids chown(2) would ignore', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    chmodSync(m.server.exportDir, 0o777);
  });
  after(() => m?.close());

  it('uid or gid 2^32-1 is refused with INVAL instead of answered OK for a change that did not happen', async () => {
    const path = join(m.server.exportDir, 'owned');
    writeFileSync(path, 'x');
    const f = await m.client.lookupPath(m.root, 'owned');
    ok(await m.client.setattr(f, sattr({ uid: 1234, gid: 1234 })));
    expectStatus(await m.client.setattr(f, sattr({ uid: MINUS_ONE })), 'NFS3ERR_INVAL');
    expectStatus(await m.client.setattr(f, sattr({ gid: MINUS_ONE })), 'NFS3ERR_INVAL');
    expectStatus(await m.client.setattr(f, sattr({ uid: MINUS_ONE, gid: MINUS_ONE })), 'NFS3ERR_INVAL');
    const st = statSync(path);
    assert.deepEqual([st.uid, st.gid], [1234, 1234]);
  });
});
