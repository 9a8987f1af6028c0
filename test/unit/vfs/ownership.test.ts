import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { checkSetattr } from '../../../src/vfs/access.js';
import { type Caller, squash } from '../../../src/vfs/credentials.js';
import { FileType } from '../../../src/vfs/types.js';
import { ALICE, BOB, b, errnoOf, ROOT, type Sandbox, sandbox, value } from './helpers.js';

const MINUS_ONE = 0xffff_ffff;
const POLICY = { rootSquash: true, allSquash: false, anonUid: 65534, anonGid: 65533 };

describe('squashing ids the kernel cannot set', () => {
  it('maps uid and gid 2^32-1 to the anonymous ids under every policy, as knfsd does', async () => {
    for (const rootSquash of [true, false]) {
      const c = squash(MINUS_ONE, MINUS_ONE, [MINUS_ONE, 5], { ...POLICY, rootSquash });
      assert.deepEqual(c, { uid: 65534, gid: 65533, gids: [65533, 5] }, `rootSquash ${rootSquash}`);
    }
  });

  it('root_squash squashes gid 0 in the supplementary groups; no_root_squash keeps real root', async () => {
    assert.deepEqual(squash(1000, 1000, [0, 7], POLICY), { uid: 1000, gid: 1000, gids: [65533, 7] });
    assert.deepEqual(squash(0, 0, [0], { ...POLICY, rootSquash: false }), { uid: 0, gid: 0, gids: [0] });
  });
});

describe('chown and chgrp rules (Linux chown_ok, chgrp_ok)', () => {
  const file = {
    type: FileType.REG,
    mode: 0o666,
    nlink: 1,
    uid: ALICE.uid,
    gid: ALICE.gid,
    size: 0n,
    used: 0n,
    rdev: { major: 0, minor: 0 },
    fileid: 1n,
    dev: 1n,
    atime: { seconds: 0, nseconds: 0 },
    mtime: { seconds: 0, nseconds: 0 },
    ctime: { seconds: 0, nseconds: 0 },
  };
  const bobInAlicesGroup: Caller = { ...BOB, gids: [ALICE.gid] };

  it('a non-owner may not "change" the owner or group to what they already are', async () => {
    assert.equal(checkSetattr(BOB, file, { uid: ALICE.uid }), 'EPERM');
    assert.equal(checkSetattr(bobInAlicesGroup, file, { gid: ALICE.gid }), 'EPERM');
  });

  it('the owner may set its own uid, and the current group or one it is in; root anything', async () => {
    assert.equal(checkSetattr(ALICE, file, { uid: ALICE.uid }), undefined);
    assert.equal(checkSetattr({ ...ALICE, gid: 1, gids: [] }, file, { gid: ALICE.gid }), undefined);
    assert.equal(checkSetattr({ ...ALICE, gids: [77] }, file, { gid: 77 }), undefined);
    assert.equal(checkSetattr(ALICE, file, { gid: 78 }), 'EPERM');
    assert.equal(checkSetattr(ALICE, file, { uid: BOB.uid }), 'EPERM');
    assert.equal(checkSetattr(ROOT, file, { uid: BOB.uid, gid: 78 }), undefined);
  });
});

describe('the owner of what the server creates', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(async () => box.cleanup());

  it('an object chown(2) could not give to the caller is removed and the call fails, never left to root', async () => {
    const unsettable: Caller = { uid: MINUS_ONE, gid: MINUS_ONE, gids: [] };
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('f'), unsettable, 0o4755, { exclusive: true })),
      'EPERM',
    );
    assert.equal(await errnoOf(await box.fs.mkdir(box.root, b('d'), unsettable, 0o2755)), 'EPERM');
    assert.equal(
      await errnoOf(await box.fs.symlink(box.root, b('l'), b('x'), { ...ALICE, gid: MINUS_ONE })),
      'EPERM',
    );
    assert.deepEqual(fs.readdirSync(box.exportDir), []);
  });

  it('a setuid file made for a user belongs to that user', async () => {
    const made = await value(await box.fs.create(box.root, b('suid'), ALICE, 0o4755, { exclusive: true }));
    const st = fs.statSync(path.join(box.exportDir, 'suid'));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [ALICE.uid, ALICE.gid, 0o4755]);
    assert.equal(made.attrs.uid, ALICE.uid);
  });
});
