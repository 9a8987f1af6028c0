import assert from 'node:assert/strict';
import { chmodSync, chownSync, lchownSync, lstatSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, expectStatus, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

const ALICE = { uid: 1001, gid: 1001 };
const BOB = { uid: 1002, gid: 1002, gids: [1001] };

describe('SETATTR of times, owners and sizes as a Linux client sees them', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,root_squash' });
    chmodSync(m.server.exportDir, 0o777);
  });
  after(() => m?.close());

  const hostFile = (name: string, owner = ALICE, mode = 0o666) => {
    const path = join(m.server.exportDir, name);
    writeFileSync(path, 'content');
    chownSync(path, owner.uid, owner.gid);
    chmodSync(path, mode);
    return path;
  };

  it('times set by a client come back to the nanosecond', async () => {
    const path = hostFile('precise');
    const f = await m.client.lookupPath(m.root, 'precise');
    const atime = { seconds: 1_700_000_000, nseconds: 100_000_000 };
    const mtime = { seconds: 1_600_000_000, nseconds: 123_456_789 };
    const res = ok(await m.client.as(ALICE).setattr(f, sattr({ atime, mtime }))).resok;
    const a = attrsOf(res.obj_wcc.after);
    assert.deepEqual([a.atime, a.mtime], [atime, mtime]);
    const st = statSync(path, { bigint: true });
    assert.deepEqual([st.atimeNs, st.mtimeNs], [1_700_000_000_100_000_000n, 1_600_000_000_123_456_789n]);
    const got = ok(await m.client.getattr(f)).resok.obj_attributes;
    assert.deepEqual(got.mtime, mtime);
  });

  it('setting only mtime leaves atime exactly as it was, nanoseconds included', async () => {
    const path = hostFile('only-mtime');
    const before_ = statSync(path, { bigint: true }).atimeNs;
    const f = await m.client.lookupPath(m.root, 'only-mtime');
    ok(await m.client.as(ALICE).setattr(f, sattr({ mtime: { seconds: 5, nseconds: 999_999_999 } })));
    const st = statSync(path, { bigint: true });
    assert.equal(st.atimeNs, before_);
    assert.equal(st.mtimeNs, 5_999_999_999n);
  });

  it('server time ("touch") sets both times to now', async () => {
    const path = hostFile('touched');
    const f = await m.client.lookupPath(m.root, 'touched');
    ok(
      await m.client
        .as(ALICE)
        .setattr(f, sattr({ atime: { seconds: 1, nseconds: 0 }, mtime: { seconds: 1, nseconds: 0 } })),
    );
    const start = BigInt(Date.now() - 5000) * 1_000_000n;
    ok(await m.client.as(ALICE).setattr(f, sattr({ atime: 'server', mtime: 'server' })));
    const st = statSync(path, { bigint: true });
    assert.ok(st.atimeNs > start && st.mtimeNs > start, `${st.atimeNs} ${st.mtimeNs}`);
  });

  it('nanoseconds of a second or more are INVAL', async () => {
    hostFile('bad-ns');
    const f = await m.client.lookupPath(m.root, 'bad-ns');
    expectStatus(
      await m.client.as(ALICE).setattr(f, sattr({ mtime: { seconds: 1, nseconds: 1_000_000_000 } })),
      'NFS3ERR_INVAL',
    );
  });

  it('times of a symlink are set on the link itself, not on what it points to', async () => {
    const target = hostFile('link-target');
    const targetBefore = statSync(target, { bigint: true }).mtimeNs;
    const dir = ok(await m.client.as(ALICE).mkdir(m.root, 'links')).resok;
    const made = ok(await m.client.as(ALICE).symlink(handleOf(dir.obj), 'lnk', '../link-target')).resok;
    const mtime = { seconds: 1_234_567_890, nseconds: 987_654_321 };
    const res = ok(await m.client.as(ALICE).setattr(handleOf(made.obj), sattr({ mtime }))).resok;
    assert.deepEqual(attrsOf(res.obj_wcc.after).mtime, mtime);
    assert.equal(
      lstatSync(join(m.server.exportDir, 'links', 'lnk'), { bigint: true }).mtimeNs,
      1_234_567_890_987_654_321n,
    );
    assert.equal(statSync(target, { bigint: true }).mtimeNs, targetBefore);
    // A symlink made on the host, known to the server only through LOOKUP.
    symlinkSync('link-target', join(m.server.exportDir, 'host-link'));
    lchownSync(join(m.server.exportDir, 'host-link'), ALICE.uid, ALICE.gid);
    const hostLink = await m.client.lookupPath(m.root, 'host-link');
    ok(
      await m.client
        .as(ALICE)
        .setattr(hostLink, sattr({ atime: 'server', mtime: { seconds: 77, nseconds: 7 } })),
    );
    assert.equal(lstatSync(join(m.server.exportDir, 'host-link'), { bigint: true }).mtimeNs, 77_000_000_007n);
    assert.equal(statSync(target, { bigint: true }).mtimeNs, targetBefore);
  });

  it('FSINFO promises 1 ns time precision', async () => {
    const info = ok(await m.client.fsinfo(m.root)).resok;
    assert.deepEqual(info.time_delta, { seconds: 0, nseconds: 1 });
  });

  it('chown or chgrp by a non-owner to the current owner or group is PERM, and changes nothing', async () => {
    const path = hostFile('alices', ALICE, 0o666);
    const f = await m.client.lookupPath(m.root, 'alices');
    expectStatus(await m.client.as(BOB).setattr(f, sattr({ uid: ALICE.uid })), 'NFS3ERR_PERM');
    expectStatus(await m.client.as(BOB).setattr(f, sattr({ gid: ALICE.gid })), 'NFS3ERR_PERM');
    expectStatus(
      await m.client.as(BOB).setattr(f, sattr({ uid: ALICE.uid, gid: ALICE.gid })),
      'NFS3ERR_PERM',
    );
    ok(await m.client.as(ALICE).setattr(f, sattr({ uid: ALICE.uid, gid: ALICE.gid })));
    const st = statSync(path);
    assert.deepEqual([st.uid, st.gid], [ALICE.uid, ALICE.gid]);
  });

  it('truncating a setuid/setgid file as its (non-root) owner clears setuid and setgid, as the kernel does', async () => {
    const path = hostFile('suid', ALICE, 0o6775);
    const f = await m.client.lookupPath(m.root, 'suid');
    const res = ok(await m.client.as(ALICE).setattr(f, sattr({ size: 2n }))).resok;
    assert.equal(attrsOf(res.obj_wcc.after).mode, 0o775);
    assert.equal(statSync(path).mode & 0o7777, 0o775);
    assert.equal(statSync(path).size, 2);
  });

  it('a size of 2^53 or more is FBIG, not a server error', async () => {
    hostFile('huge');
    const f = await m.client.lookupPath(m.root, 'huge');
    for (const size of [2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n]) {
      expectStatus(await m.client.as(ALICE).setattr(f, sattr({ size })), 'NFS3ERR_FBIG');
    }
    const errors = m.server.logLines().filter((l) => (l.level ?? 0) >= 50);
    assert.deepEqual(errors, []);
  });
});
