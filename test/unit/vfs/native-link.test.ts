import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requiredFsAt } from '../../../src/vfs/native.js';
import { O_DIRECTORY, O_NOFOLLOW, O_PATH } from '../../../src/vfs/proc-path.js';

const b = (s: string) => Buffer.from(s);

describe('native linkFdAt: a new name for the object a descriptor holds', () => {
  let dir: string;
  let dirFd: number;
  const at = requiredFsAt();

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nfsgate-linkfd-'));
    dirFd = fs.openSync(dir, O_PATH | O_DIRECTORY);
  });
  after(() => {
    fs.closeSync(dirFd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('links the object even after the name it was opened through was removed', () => {
    fs.writeFileSync(path.join(dir, 'a'), 'body');
    const fd = fs.openSync(path.join(dir, 'a'), O_PATH | O_NOFOLLOW);
    try {
      fs.renameSync(path.join(dir, 'a'), path.join(dir, 'b'));
      fs.linkSync(path.join(dir, 'b'), path.join(dir, 'a'));
      fs.unlinkSync(path.join(dir, 'b'));
      assert.equal(at.linkFdAt(fd, dirFd, b('c')), undefined);
      const ino = fs.fstatSync(fd).ino;
      assert.equal(fs.lstatSync(path.join(dir, 'c')).ino, ino);
      assert.equal(fs.lstatSync(path.join(dir, 'c')).nlink, 2);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('links a symlink itself, not what it points to', () => {
    fs.symlinkSync('/etc/passwd', path.join(dir, 'sym'));
    const fd = fs.openSync(path.join(dir, 'sym'), O_PATH | O_NOFOLLOW);
    try {
      assert.equal(at.linkFdAt(fd, dirFd, b('sym2')), undefined);
      assert.ok(fs.lstatSync(path.join(dir, 'sym2')).isSymbolicLink());
      assert.equal(fs.lstatSync(path.join(dir, 'sym2')).ino, fs.lstatSync(path.join(dir, 'sym')).ino);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('refuses an object with no name left, an existing name, and names that are not one component', () => {
    fs.writeFileSync(path.join(dir, 'doomed'), 'x');
    const fd = fs.openSync(path.join(dir, 'doomed'), O_PATH | O_NOFOLLOW);
    try {
      assert.equal(at.linkFdAt(fd, dirFd, b('doomed')), 'EEXIST');
      assert.equal(at.linkFdAt(fd, dirFd, b('x/y')), 'EINVAL');
      assert.equal(at.linkFdAt(fd, dirFd, b('x\0y')), 'EINVAL');
      assert.equal(at.linkFdAt(fd, dirFd, Buffer.alloc(256, 0x61)), 'ENAMETOOLONG');
      assert.equal(at.linkFdAt(-1, dirFd, b('z')), 'EBADF');
      fs.unlinkSync(path.join(dir, 'doomed'));
      assert.equal(at.linkFdAt(fd, dirFd, b('revived')), 'ENOENT');
      assert.equal(fs.existsSync(path.join(dir, 'revived')), false);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('throws only for wrong argument types', () => {
    assert.throws(() => at.linkFdAt('1' as unknown as number, dirFd, b('n')), TypeError);
    assert.throws(() => at.linkFdAt(1, dirFd, 'n' as unknown as Buffer), TypeError);
  });
});
