import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RpcCallError } from '../../src/rpc/client.js';
import { ACCESS3_MODIFY, ACCESS3_READ } from '../../src/xdr/generated/nfs3.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, expectStatus, handleOf, ok, ROOT, sattr } from '../helpers/nfs3-client.js';

const ALICE = { uid: 1001, gid: 1001 };
const BOB = { uid: 1002, gid: 1002 };
const BOB_IN_STAFF = { uid: 1002, gid: 1002, gids: [2000] };
const STAFF = 2000;

/** Host-made files owned by several users: the server must apply their modes to each caller. */
function populate(exportDir: string): void {
  chmodSync(exportDir, 0o777);
  const own = (path: string, uid: number, gid: number, mode: number) => {
    chownSync(path, uid, gid);
    chmodSync(path, mode);
  };
  writeFileSync(join(exportDir, 'alice-private'), 'alice only');
  own(join(exportDir, 'alice-private'), ALICE.uid, ALICE.gid, 0o600);
  writeFileSync(join(exportDir, 'staff-shared'), 'staff may read');
  own(join(exportDir, 'staff-shared'), ALICE.uid, STAFF, 0o640);
  writeFileSync(join(exportDir, 'world-readable'), 'everyone');
  own(join(exportDir, 'world-readable'), ALICE.uid, ALICE.gid, 0o644);
  mkdirSync(join(exportDir, 'sticky'));
  own(join(exportDir, 'sticky'), 0, 0, 0o1777);
  writeFileSync(join(exportDir, 'sticky', 'alices'), 'in /tmp-like dir');
  own(join(exportDir, 'sticky', 'alices'), ALICE.uid, ALICE.gid, 0o666);
  mkdirSync(join(exportDir, 'alice-dir'));
  own(join(exportDir, 'alice-dir'), ALICE.uid, ALICE.gid, 0o755);
}

describe('permissions for several users on a root_squash export', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,root_squash' });
    populate(m.server.exportDir);
  });
  after(() => m?.close());

  const as = (c: { uid: number; gid: number; gids?: number[] }) => m.client.as(c);
  const fh = (path: string) => m.client.lookupPath(m.root, path);

  it('mode bits: the owner reads a 0600 file, another user gets ACCES', async () => {
    const f = await fh('alice-private');
    assert.equal(ok(await as(ALICE).read(f, 0, 100)).resok.data.toString(), 'alice only');
    expectStatus(await as(BOB).read(f, 0, 100), 'NFS3ERR_ACCES');
    expectStatus(await as(BOB).write(f, 0, Buffer.from('x')), 'NFS3ERR_ACCES');
    assert.equal(ok(await as(BOB).access(f, ACCESS3_READ | ACCESS3_MODIFY)).resok.access, 0);
  });

  it('groups: a supplementary or primary group member reads a 0640 group file, others do not', async () => {
    const f = await fh('staff-shared');
    ok(await as(BOB_IN_STAFF).read(f, 0, 100));
    ok(await as({ uid: 1003, gid: STAFF }).read(f, 0, 100));
    expectStatus(await as(BOB).read(f, 0, 100), 'NFS3ERR_ACCES');
    expectStatus(await as(BOB_IN_STAFF).write(f, 0, Buffer.from('x')), 'NFS3ERR_ACCES');
  });

  it('only the owner may chmod; only root may chown (and root is squashed here)', async () => {
    const f = await fh('world-readable');
    expectStatus(await as(BOB).setattr(f, sattr({ mode: 0o666 })), 'NFS3ERR_PERM');
    ok(await as(ALICE).setattr(f, sattr({ mode: 0o664 })));
    assert.equal(statSync(join(m.server.exportDir, 'world-readable')).mode & 0o777, 0o664);
    expectStatus(await as(ALICE).setattr(f, sattr({ uid: BOB.uid })), 'NFS3ERR_PERM');
    expectStatus(await m.client.setattr(f, sattr({ uid: BOB.uid })), 'NFS3ERR_PERM');
    assert.equal(statSync(join(m.server.exportDir, 'world-readable')).uid, ALICE.uid);
  });

  it('sticky directory: another user cannot remove or rename a file it can write; its owner can', async () => {
    const sticky = await fh('sticky');
    expectStatus(await as(BOB).remove(sticky, 'alices'), 'NFS3ERR_ACCES', 'NFS3ERR_PERM');
    expectStatus(await as(BOB).rename(sticky, 'alices', sticky, 'bobs-now'), 'NFS3ERR_ACCES', 'NFS3ERR_PERM');
    ok(await as(BOB).write(await fh('sticky/alices'), 0, Buffer.from('IN'), 2));
    ok(await as(BOB).create(sticky, 'bobs'));
    ok(await as(ALICE).remove(sticky, 'alices'));
    ok(await as(BOB).remove(sticky, 'bobs'));
  });

  it("a user cannot create in another user's 0755 directory", async () => {
    expectStatus(await as(BOB).create(await fh('alice-dir'), 'intruder'), 'NFS3ERR_ACCES');
    ok(await as(ALICE).create(await fh('alice-dir'), 'owned'));
    assert.equal(statSync(join(m.server.exportDir, 'alice-dir', 'owned')).uid, ALICE.uid);
  });

  it('new objects belong to the caller', async () => {
    const r = ok(await as(BOB_IN_STAFF).mkdir(m.root, 'bobs-dir')).resok;
    const a = attrsOf(r.obj_attributes);
    assert.equal(a.uid, BOB.uid);
    assert.equal(a.gid, BOB.gid);
    const st = statSync(join(m.server.exportDir, 'bobs-dir'));
    assert.equal(st.uid, BOB.uid);
    assert.equal(st.gid, BOB.gid);
  });

  it('root_squash: root acts as 65534, so what it creates is owned by 65534 and private files stay shut', async () => {
    const r = ok(await m.client.create(m.root, 'made-by-root')).resok;
    assert.equal(attrsOf(r.obj_attributes).uid, 65534);
    assert.equal(statSync(join(m.server.exportDir, 'made-by-root')).uid, 65534);
    expectStatus(await m.client.read(await fh('alice-private'), 0, 10), 'NFS3ERR_ACCES');
  });
});

describe('no_root_squash', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    populate(m.server.exportDir);
  });
  after(() => m?.close());

  it('root keeps uid 0: it owns what it creates, reads private files and may chown', async () => {
    const r = ok(await m.client.create(m.root, 'root-file')).resok;
    assert.equal(statSync(join(m.server.exportDir, 'root-file')).uid, 0);
    const priv = await m.client.lookupPath(m.root, 'alice-private');
    ok(await m.client.read(priv, 0, 10));
    ok(await m.client.setattr(handleOf(r.obj), sattr({ uid: ALICE.uid, gid: STAFF })));
    const st = statSync(join(m.server.exportDir, 'root-file'));
    assert.deepEqual([st.uid, st.gid], [ALICE.uid, STAFF]);
  });
});

describe('all_squash with anonuid and anongid', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,all_squash,anonuid=3000,anongid=3001' });
    populate(m.server.exportDir);
  });
  after(() => m?.close());

  it('maps every caller, root included, to anonuid:anongid', async () => {
    for (const [who, c] of [
      ['alice', ALICE],
      ['root', ROOT],
    ] as const) {
      ok(await m.client.as(c).create(m.root, `by-${who}`));
      const st = statSync(join(m.server.exportDir, `by-${who}`));
      assert.deepEqual([st.uid, st.gid], [3000, 3001], who);
    }
    expectStatus(
      await m.client.as(ALICE).read(await m.client.lookupPath(m.root, 'alice-private'), 0, 1),
      'NFS3ERR_ACCES',
    );
  });
});

describe('the command-line defaults (no -o): rw, root_squash, secure', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({});
    chmodSync(m.server.exportDir, 0o777);
  });
  after(() => m?.close());

  it('are writable, with root squashed to 65534', async () => {
    ok(await m.client.create(m.root, 'default-rw'));
    assert.equal(statSync(join(m.server.exportDir, 'default-rw')).uid, 65534);
  });

  it('refuse MOUNT and NFS calls from a source port above 1023', async () => {
    const unprivileged = await m.connect({ privileged: false });
    assert.ok(unprivileged.localPort >= 1024);
    const mnt = await unprivileged.mountCall(m.server.name);
    assert.notEqual(mnt.fhs_status, 0, 'MNT from an unprivileged port');
    try {
      const r = await unprivileged.getattr(m.root);
      assert.notEqual(r.status, 0, 'GETATTR from an unprivileged port');
    } catch (e) {
      assert.ok(e instanceof RpcCallError && e.failure.kind === 'AUTH_ERROR', String(e));
    }
  });
});

describe('insecure', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,insecure' });
  });
  after(() => m?.close());

  it('accepts MOUNT and NFS calls from a source port above 1023', async () => {
    const unprivileged = await m.connect({ privileged: false });
    assert.ok(unprivileged.localPort >= 1024);
    const root = await unprivileged.mount(m.server.name);
    ok(await unprivileged.getattr(root));
  });
});
