import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DataIo } from '../../../src/vfs/data.js';
import { fsOps } from '../../../src/vfs/fs-ops.js';
import { FileType } from '../../../src/vfs/types.js';
import { b, errnoOf, fingerprint, ROOT, type Sandbox, sandbox, value } from './helpers.js';

describe('confinement', () => {
  let box: Sandbox;
  let sentinel: string;
  let before: string;

  beforeEach(async () => {
    box = await sandbox();
    sentinel = path.join(box.outside, 'sentinel');
    fs.writeFileSync(sentinel, 'do not touch');
    fs.utimesSync(sentinel, 1_000_000, 1_000_000);
    before = fingerprint(sentinel);
  });
  afterEach(async () => {
    assert.equal(fingerprint(sentinel), before, 'the file outside the export was touched');
    box.cleanup();
  });

  it('returns a symlink to / as a symlink and never enters it', async () => {
    fs.symlinkSync('/', path.join(box.exportDir, 'escape'));
    const found = await value(await box.fs.lookup(box.root, b('escape'), ROOT));
    assert.equal(found.attrs.type, FileType.LNK);
    assert.equal(await errnoOf(await box.fs.lookup(found.node, b('etc'), ROOT)), 'ENOTDIR');
    assert.equal(await errnoOf(await box.fs.readdir(found.node, ROOT)), 'ENOTDIR');
    assert.equal(
      await errnoOf(await box.fs.create(found.node, b('x'), ROOT, 0o644, { exclusive: true })),
      'ENOTDIR',
    );
    assert.deepEqual(await value(await box.fs.readlink(found.node)), b('/'));
  });

  it('does not follow a symlink to a file outside when creating, opening or changing it', async () => {
    fs.symlinkSync(sentinel, path.join(box.exportDir, 'link'));
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('link'), ROOT, 0o644, { exclusive: false })),
      'EEXIST',
    );
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('link'), ROOT, 0o644, { exclusive: true })),
      'EEXIST',
    );
    const link = (await value(await box.fs.lookup(box.root, b('link'), ROOT))).node;
    assert.equal(await errnoOf(await box.fs.setattr(link, ROOT, { mode: 0o777 })), 'ENOTSUP');
    assert.equal(await errnoOf(await box.fs.setattr(link, ROOT, { size: 0n })), 'EINVAL');
    const outsideMtime = fs.statSync(sentinel).mtimeMs;
    // A symlink's times are set by name in its parent (the names the catalog knows for it).
    const names = [{ dir: box.root, name: b('link') }];
    await value(
      await box.fs.setattr(link, ROOT, { mtime: { seconds: 2_000_000, nseconds: 5 } }, undefined, names),
    );
    assert.equal(fs.statSync(sentinel).mtimeMs, outsideMtime, 'times are set on the link, not its target');
    // The portable fallback sets times through node:fs, whose seconds are a double: microseconds.
    const exact = fsOps().kind === 'native';
    assert.equal(
      fs.lstatSync(path.join(box.exportDir, 'link'), { bigint: true }).mtimeNs,
      exact ? 2_000_000_000_000_005n : 2_000_000_000_000_000n,
    );
    const data = new DataIo({ readOnly: false, privileged: true });
    assert.equal(await errnoOf(await data.read(link, 0n, 100)), 'EINVAL');
    assert.equal(await errnoOf(await data.write(link, 0n, b('pwned'), 2)), 'EINVAL');
    data.close();
    if (process.getuid?.() === 0) {
      await value(await box.fs.setattr(link, ROOT, { uid: 4242 }));
      assert.equal(fs.lstatSync(path.join(box.exportDir, 'link')).uid, 4242, 'chown acts on the link itself');
    }
  });

  it('does not follow a symlink to .. and keeps .. at the root at the root', async () => {
    fs.symlinkSync('..', path.join(box.exportDir, 'up'));
    const up = await value(await box.fs.lookup(box.root, b('up'), ROOT));
    assert.equal(up.attrs.type, FileType.LNK);
    const parent = await value(await box.fs.lookup(box.root, b('..'), ROOT));
    assert.equal(parent.attrs.fileid, (await value(await box.fs.getattr(box.root))).fileid);
    const again = await value(await box.fs.lookupParent(parent.node, ROOT));
    assert.equal(again.attrs.fileid, parent.attrs.fileid);
  });

  it('resolves .. of a subdirectory to its parent', async () => {
    fs.mkdirSync(path.join(box.exportDir, 'sub'));
    const sub = await value(await box.fs.lookup(box.root, b('sub'), ROOT));
    assert.equal(
      (await value(await box.fs.lookupParent(sub.node, ROOT))).attrs.fileid,
      (await value(await box.fs.getattr(box.root))).fileid,
    );
  });

  it('refuses names with a slash, NUL, dot entries as new names, and names over 255 bytes', async () => {
    assert.equal(await errnoOf(await box.fs.lookup(box.root, b('../outside/sentinel'), ROOT)), 'EBADNAME');
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('a/b'), ROOT, 0o644, { exclusive: true })),
      'EBADNAME',
    );
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('a\0b'), ROOT, 0o644, { exclusive: true })),
      'EBADNAME',
    );
    assert.equal(
      await errnoOf(await box.fs.create(box.root, b('..'), ROOT, 0o644, { exclusive: true })),
      'EEXIST',
    );
    assert.equal(await errnoOf(await box.fs.mkdir(box.root, b('.'), ROOT, 0o755)), 'EEXIST');
    assert.equal(await errnoOf(await box.fs.remove(box.root, b('..'), ROOT)), 'EACCES');
    assert.equal(await errnoOf(await box.fs.rename(box.root, b('..'), box.root, b('x'), ROOT)), 'EPERM');
    assert.equal(
      await errnoOf(await box.fs.mkdir(box.root, Buffer.alloc(256, 0x61), ROOT, 0o755)),
      'ENAMETOOLONG',
    );
    assert.equal(await errnoOf(await box.fs.lookup(box.root, b(''), ROOT)), 'EBADNAME');
    assert.deepEqual(fs.readdirSync(box.exportDir), []);
  });

  it('keeps acting on a directory that was swapped for a symlink after lookup', async () => {
    fs.mkdirSync(path.join(box.exportDir, 'dir'));
    const dir = (await value(await box.fs.lookup(box.root, b('dir'), ROOT))).node;
    fs.renameSync(path.join(box.exportDir, 'dir'), path.join(box.exportDir, 'moved'));
    fs.symlinkSync(box.outside, path.join(box.exportDir, 'dir'));

    await value(await box.fs.create(dir, b('new'), ROOT, 0o644, { exclusive: true }));
    await value(await box.fs.mkdir(dir, b('newdir'), ROOT, 0o755));
    assert.equal(await errnoOf(await box.fs.lookup(dir, b('sentinel'), ROOT)), 'ENOENT');
    assert.equal(await errnoOf(await box.fs.remove(dir, b('sentinel'), ROOT)), 'ENOENT');
    const names = (await value(await box.fs.readdir(dir, ROOT))).entries.map((e) => e.name.toString());
    assert.deepEqual(names.sort(), ['.', '..', 'new', 'newdir']);
    assert.deepEqual(fs.readdirSync(path.join(box.exportDir, 'moved')).sort(), ['new', 'newdir']);
    assert.deepEqual(fs.readdirSync(box.outside), ['sentinel']);
  });

  it('keeps names that are not UTF-8 intact', async () => {
    const name = Buffer.from([0x66, 0xff, 0xfe, 0x80]);
    await value(await box.fs.create(box.root, name, ROOT, 0o644, { exclusive: true }));
    const listed = (await value(await box.fs.readdir(box.root, ROOT))).entries.map((e) => e.name);
    assert.ok(listed.some((n) => n.equals(name)));
    assert.equal((await value(await box.fs.lookup(box.root, name, ROOT))).attrs.type, FileType.REG);
  });

  it('links and reads links by finding the object inside the export, not by following paths', async () => {
    fs.mkdirSync(path.join(box.exportDir, 'a'));
    fs.writeFileSync(path.join(box.exportDir, 'a', 'f'), 'x');
    fs.symlinkSync('target text', path.join(box.exportDir, 'a', 'l'));
    const a = (await value(await box.fs.lookup(box.root, b('a'), ROOT))).node;
    const f = (await value(await box.fs.lookup(a, b('f'), ROOT))).node;
    const l = (await value(await box.fs.lookup(a, b('l'), ROOT))).node;
    const linked = await value(await box.fs.link(f, box.root, b('f2'), ROOT));
    assert.equal(linked.attrs.nlink, 2);
    assert.equal(
      fs.statSync(path.join(box.exportDir, 'f2')).ino,
      fs.statSync(path.join(box.exportDir, 'a', 'f')).ino,
    );
    assert.deepEqual(await value(await box.fs.readlink(l)), b('target text'));
    fs.unlinkSync(path.join(box.exportDir, 'a', 'l'));
    assert.equal(await errnoOf(await box.fs.readlink(l)), 'ESTALE');
  });

  it('refuses every change on a read-only export', async () => {
    box.fs.close();
    const { ConfinedFs } = await import('../../../src/vfs/confined-fs.js');
    const ro = new ConfinedFs({ root: box.exportDir, readOnly: true, crossMounts: false, privileged: true });
    fs.writeFileSync(path.join(box.exportDir, 'f'), 'x');
    const root = await value(ro.openRoot());
    const f = (await value(ro.lookup(root, b('f'), ROOT))).node;
    assert.equal(await errnoOf(ro.create(root, b('n'), ROOT, 0o644, { exclusive: true })), 'EROFS');
    assert.equal(await errnoOf(ro.mkdir(root, b('n'), ROOT, 0o755)), 'EROFS');
    assert.equal(await errnoOf(ro.remove(root, b('f'), ROOT)), 'EROFS');
    assert.equal(await errnoOf(ro.rename(root, b('f'), root, b('g'), ROOT)), 'EROFS');
    assert.equal(await errnoOf(ro.setattr(f, ROOT, { mode: 0o600 })), 'EROFS');
    assert.equal(await errnoOf(ro.link(f, root, b('g'), ROOT)), 'EROFS');
    assert.equal(
      (await value(ro.access(f, ROOT, 0x3f))).granted,
      0x01,
      'only READ: no x bit, and nothing mutating',
    );
    const data = new DataIo({ readOnly: true, privileged: true });
    assert.equal(await errnoOf(await data.write(f, 0n, b('y'), 2)), 'EROFS');
    assert.deepEqual((await value(await data.read(f, 0n, 10))).data, b('x'));
    data.close();
    ro.closeVNode(f);
    ro.closeVNode(root);
    ro.close();
  });

  it('answers EBADF for a node whose descriptor was closed and reused', async () => {
    fs.writeFileSync(path.join(box.exportDir, 'f'), 'x');
    const f = (await value(await box.fs.lookup(box.root, b('f'), ROOT))).node;
    fs.closeSync(f.fd);
    const reused = fs.openSync(box.outside, 'r');
    try {
      assert.equal(reused, f.fd, 'the descriptor number was reused');
      assert.equal(await errnoOf(await box.fs.getattr(f)), 'EBADF');
      assert.equal(await errnoOf(await box.fs.lookup(f, b('sentinel'), ROOT)), 'EBADF');
    } finally {
      fs.closeSync(reused);
    }
  });
});
