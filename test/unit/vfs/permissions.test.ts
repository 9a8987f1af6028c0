import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DataIo } from '../../../src/vfs/data.js';
import { FileType } from '../../../src/vfs/types.js';
import { ALICE, BOB, b, errnoOf, ROOT, type Sandbox, sandbox, value } from './helpers.js';

// A server running as root acts for many users; these specifications need root to create their owners.
describe('server-side permissions', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(async () => box.cleanup());

  const mkdirAs = async (owner: { uid: number; gid: number }, name: string, mode: number) => {
    const p = path.join(box.exportDir, name);
    fs.mkdirSync(p);
    fs.chownSync(p, owner.uid, owner.gid);
    fs.chmodSync(p, mode);
    return (await value(await box.fs.lookup(box.root, b(name), ROOT))).node;
  };

  it('gives what a caller creates to the caller, with the exact mode and no umask', async () => {
    const created = await value(await box.fs.create(box.root, b('f'), ALICE, 0o666, { exclusive: true }));
    assert.equal(created.created, true);
    assert.deepEqual(
      [created.attrs.uid, created.attrs.gid, created.attrs.mode],
      [ALICE.uid, ALICE.gid, 0o666],
    );
    const dir = await value(await box.fs.mkdir(box.root, b('d'), BOB, 0o1777));
    assert.deepEqual([dir.attrs.uid, dir.attrs.mode, dir.attrs.type], [BOB.uid, 0o1777, FileType.DIR]);
    const link = await value(await box.fs.symlink(box.root, b('l'), b('anything'), ALICE));
    assert.equal(fs.lstatSync(path.join(box.exportDir, 'l')).uid, ALICE.uid);
    assert.equal(link.attrs.type, FileType.LNK);
    assert.ok(created.dir.before !== undefined && created.dir.after !== undefined);
  });

  it('uses the group of a setgid parent and passes setgid on to new directories', async () => {
    const shared = await mkdirAs({ uid: 0, gid: 3000 }, 'shared', 0o2777);
    const file = await value(await box.fs.create(shared, b('f'), ALICE, 0o644, { exclusive: true }));
    assert.equal(file.attrs.gid, 3000);
    const sub = await value(await box.fs.mkdir(shared, b('sub'), ALICE, 0o755));
    assert.deepEqual([sub.attrs.gid, sub.attrs.mode], [3000, 0o2755]);
  });

  it('needs write and search permission on the directory to create or remove', async () => {
    const alices = await mkdirAs(ALICE, 'alice', 0o755);
    assert.equal(
      await errnoOf(await box.fs.create(alices, b('x'), BOB, 0o644, { exclusive: true })),
      'EACCES',
    );
    await value(await box.fs.create(alices, b('x'), ALICE, 0o644, { exclusive: true }));
    assert.equal(await errnoOf(await box.fs.remove(alices, b('x'), BOB)), 'EACCES');
    await value(await box.fs.remove(alices, b('x'), ALICE));
    const noSearch = await mkdirAs(ALICE, 'nosearch', 0o744);
    assert.equal(await errnoOf(await box.fs.lookup(noSearch, b('x'), BOB)), 'EACCES');
    assert.equal(await errnoOf(await box.fs.readdir(await mkdirAs(ALICE, 'noread', 0o711), BOB)), 'EACCES');
  });

  it('grants access through supplementary groups', async () => {
    const team = await mkdirAs({ uid: 0, gid: 4000 }, 'team', 0o770);
    assert.equal(await errnoOf(await box.fs.create(team, b('x'), BOB, 0o644, { exclusive: true })), 'EACCES');
    await value(await box.fs.create(team, b('x'), { ...BOB, gids: [4000] }, 0o644, { exclusive: true }));
  });

  it('lets only owners (of entry or directory) and root remove or rename entries of a sticky directory', async () => {
    const tmp = await mkdirAs({ uid: 0, gid: 0 }, 'tmp', 0o1777);
    await value(await box.fs.create(tmp, b('alices'), ALICE, 0o644, { exclusive: true }));
    assert.equal(await errnoOf(await box.fs.remove(tmp, b('alices'), BOB)), 'EPERM');
    assert.equal(await errnoOf(await box.fs.rename(tmp, b('alices'), tmp, b('bobs'), BOB)), 'EPERM');
    await value(await box.fs.create(tmp, b('bobs'), BOB, 0o644, { exclusive: true }));
    assert.equal(
      await errnoOf(await box.fs.rename(tmp, b('bobs'), tmp, b('alices'), BOB)),
      'EPERM',
      'may not replace',
    );
    await value(await box.fs.rename(tmp, b('alices'), tmp, b('renamed'), ALICE));
    await value(await box.fs.remove(tmp, b('renamed'), ROOT));
  });

  it('applies the chmod, chown and utimes rules', async () => {
    const f = (await value(await box.fs.create(box.root, b('f'), ALICE, 0o644, { exclusive: true }))).node;
    assert.equal(await errnoOf(await box.fs.setattr(f, BOB, { mode: 0o777 })), 'EPERM');
    assert.equal((await value(await box.fs.setattr(f, ALICE, { mode: 0o2640 }))).after.mode, 0o2640);
    assert.equal(
      (await value(await box.fs.setattr(f, ALICE, { mode: 0o2640, gid: ALICE.gid }))).after.mode,
      0o2640,
    );
    assert.equal(await errnoOf(await box.fs.setattr(f, ALICE, { uid: BOB.uid })), 'EPERM');
    assert.equal(await errnoOf(await box.fs.setattr(f, ALICE, { gid: 5000 })), 'EPERM');
    assert.equal(
      (await value(await box.fs.setattr(f, { ...ALICE, gids: [5000] }, { gid: 5000 }))).after.gid,
      5000,
    );
    // Alice is no longer in the file's group: setgid cannot be set.
    assert.equal((await value(await box.fs.setattr(f, ALICE, { mode: 0o2644 }))).after.mode, 0o644);
    assert.equal((await value(await box.fs.setattr(f, ROOT, { uid: BOB.uid }))).after.uid, BOB.uid);
    assert.equal(await errnoOf(await box.fs.setattr(f, ALICE, { mtime: 'now' })), 'EACCES');
    const t = { seconds: 1_600_000_000, nseconds: 123_456_000 };
    assert.equal(await errnoOf(await box.fs.setattr(f, ALICE, { mtime: t })), 'EPERM');
    assert.deepEqual((await value(await box.fs.setattr(f, BOB, { mtime: t }))).after.mtime, t);
    assert.equal(await errnoOf(await box.fs.setattr(f, ALICE, { size: 0n })), 'EACCES');
    assert.equal((await value(await box.fs.setattr(f, BOB, { size: 5n }))).after.size, 5n);
  });

  it('refuses SETATTR whose ctime guard does not match', async () => {
    const created = await value(await box.fs.create(box.root, b('f'), ALICE, 0o644, { exclusive: true }));
    const stale = { seconds: created.attrs.ctime.seconds - 1, nseconds: 0 };
    assert.equal(
      await errnoOf(await box.fs.setattr(created.node, ALICE, { mode: 0o600 }, stale)),
      'ENOTSYNC',
    );
    await value(await box.fs.setattr(created.node, ALICE, { mode: 0o600 }, created.attrs.ctime));
  });

  it('moves a directory to another parent only with write permission on it', async () => {
    const from = await mkdirAs(BOB, 'from', 0o777);
    const to = await mkdirAs(BOB, 'to', 0o777);
    await value(await box.fs.mkdir(from, b('locked'), ALICE, 0o755));
    assert.equal(await errnoOf(await box.fs.rename(from, b('locked'), to, b('locked'), BOB)), 'EACCES');
    await value(await box.fs.rename(from, b('locked'), to, b('locked'), ALICE));
  });

  it('answers ACCESS from the mode bits as the caller sees them', async () => {
    const f = (await value(await box.fs.create(box.root, b('f'), ALICE, 0o640, { exclusive: true }))).node;
    assert.equal((await value(await box.fs.access(f, ALICE, 0x3f))).granted, 0x01 | 0x04 | 0x08);
    assert.equal((await value(await box.fs.access(f, BOB, 0x3f))).granted, 0);
  });

  it('strips setuid when someone other than root writes', async () => {
    const f = (await value(await box.fs.create(box.root, b('f'), ALICE, 0o4777, { exclusive: true }))).node;
    const data = new DataIo({ readOnly: false, privileged: true });
    const written = await value(await data.write(f, 0n, b('x'), 0, BOB));
    assert.equal(written.after.mode, 0o777);
    data.close();
  });

  it('creates FIFOs and sockets for callers, devices only for root', async () => {
    const fifo = await value(await box.fs.mknod(box.root, b('fifo'), FileType.FIFO, ALICE, 0o640));
    assert.deepEqual([fifo.attrs.type, fifo.attrs.uid, fifo.attrs.mode], [FileType.FIFO, ALICE.uid, 0o640]);
    const sock = await value(await box.fs.mknod(box.root, b('sock'), FileType.SOCK, ALICE, 0o600));
    assert.equal(sock.attrs.type, FileType.SOCK);
    assert.equal(
      await errnoOf(
        await box.fs.mknod(box.root, b('null'), FileType.CHR, ALICE, 0o666, { major: 1, minor: 3 }),
      ),
      'EPERM',
    );
    const dev = await value(
      await box.fs.mknod(box.root, b('null'), FileType.CHR, ROOT, 0o666, { major: 1, minor: 3 }),
    );
    assert.deepEqual(dev.attrs.rdev, { major: 1, minor: 3 });
    assert.equal(
      await errnoOf(await box.fs.mknod(box.root, b('fifo'), FileType.FIFO, ALICE, 0o640)),
      'EEXIST',
    );
    assert.deepEqual(fs.readdirSync(box.exportDir).sort(), ['fifo', 'null', 'sock']);
  });

  it('finds an existing regular file on a non-exclusive CREATE and refuses it on an exclusive one', async () => {
    await value(await box.fs.create(box.root, b('f'), ALICE, 0o644, { exclusive: true }));
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('f'), ALICE, 0o644, { exclusive: true })),
      'EEXIST',
    );
    const again = await value(await box.fs.create(box.root, b('f'), ALICE, 0o600, { exclusive: false }));
    assert.deepEqual([again.created, again.attrs.mode], [false, 0o644]);
  });

  it('reports POSIX errors for REMOVE, RMDIR and RENAME', async () => {
    await value(await box.fs.mkdir(box.root, b('d'), ROOT, 0o755));
    const d = (await value(await box.fs.lookup(box.root, b('d'), ROOT))).node;
    await value(await box.fs.create(d, b('f'), ROOT, 0o644, { exclusive: true }));
    await value(await box.fs.mkdir(box.root, b('empty'), ROOT, 0o755));
    assert.equal(await errnoOf(await box.fs.remove(box.root, b('d'), ROOT)), 'EISDIR');
    assert.equal(await errnoOf(await box.fs.rmdir(d, b('f'), ROOT)), 'ENOTDIR');
    assert.equal(await errnoOf(await box.fs.rmdir(box.root, b('d'), ROOT)), 'ENOTEMPTY');
    assert.equal(
      await errnoOf(await box.fs.rename(box.root, b('empty'), box.root, b('d'), ROOT)),
      'ENOTEMPTY',
    );
    assert.equal(await errnoOf(await box.fs.rename(d, b('f'), box.root, b('empty'), ROOT)), 'EISDIR');
    assert.equal(await errnoOf(await box.fs.rename(box.root, b('empty'), d, b('f'), ROOT)), 'ENOTDIR');
    const moved = await value(await box.fs.rename(d, b('f'), box.root, b('g'), ROOT));
    assert.ok(moved.fromDir.after !== undefined && moved.replaced === undefined);
    await value(await box.fs.rmdir(box.root, b('empty'), ROOT));
  });
});
