import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { requiredFsAt } from '../../../src/vfs/native.js';
import { O_NOFOLLOW, O_PATH } from '../../../src/vfs/proc-path.js';
import { isRootProcess } from './helpers.js';

const b = (s: string) => Buffer.from(s);
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000;
const S_IFCHR = 0o020000;
const S_IFREG = 0o100000;

/** The value of a successful call; an errno name fails the test with that name. */
function must<T>(result: T | string): T {
  if (typeof result === 'string') throw new Error(`expected success, got ${result}`);
  return result;
}

// The addon is required (NFSGATE_NO_NATIVE does not turn these calls off), so these run in both modes.
describe('native linkFdAt, readlinkAt, mknodAt and the mount id (native/fsat.c)', () => {
  let dir: string;
  let dirFd: number;
  const opened: number[] = [];
  const keep = (fd: number) => {
    opened.push(fd);
    return fd;
  };
  const at = requiredFsAt();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsat-links-'));
    fs.writeFileSync(path.join(dir, 'file'), 'hello');
    fs.symlinkSync('file', path.join(dir, 'link'));
    fs.mkdirSync(path.join(dir, 'sub'));
    dirFd = keep(fs.openSync(dir, O_PATH | fs.constants.O_DIRECTORY));
  });
  afterEach(() => {
    for (const fd of opened.splice(0)) fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('linkFdAt', () => {
    it('gives the object an O_PATH descriptor holds a new name of 255 bytes', () => {
      const fd = keep(fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW));
      const long = 'n'.repeat(255);
      assert.equal(at.linkFdAt(fd, dirFd, b(long)), undefined);
      const st = fs.statSync(path.join(dir, long));
      assert.equal(st.ino, fs.statSync(path.join(dir, 'file')).ino);
      assert.equal(st.nlink, 2);
    });

    it('links the object wherever it has moved since the descriptor was opened', () => {
      const fd = keep(fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW));
      fs.renameSync(path.join(dir, 'file'), path.join(dir, 'sub', 'moved'));
      assert.equal(at.linkFdAt(fd, dirFd, b('again')), undefined);
      assert.equal(fs.readFileSync(path.join(dir, 'again'), 'utf8'), 'hello');
    });

    it('links the object even after the name it was opened through was removed (maildir delivery)', () => {
      const fd = keep(fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW));
      fs.renameSync(path.join(dir, 'file'), path.join(dir, 'b'));
      fs.linkSync(path.join(dir, 'b'), path.join(dir, 'a'));
      fs.unlinkSync(path.join(dir, 'b'));
      assert.equal(at.linkFdAt(fd, dirFd, b('c')), undefined);
      const st = fs.lstatSync(path.join(dir, 'c'));
      assert.equal(st.ino, fs.fstatSync(fd).ino);
      assert.equal(st.nlink, 2);
    });

    it('links a symlink itself, not what it points to', () => {
      const fd = keep(fs.openSync(path.join(dir, 'link'), O_PATH | O_NOFOLLOW));
      assert.equal(at.linkFdAt(fd, dirFd, b('link2')), undefined);
      const st = fs.lstatSync(path.join(dir, 'link2'));
      assert.ok(st.isSymbolicLink());
      assert.equal(st.ino, fs.lstatSync(path.join(dir, 'link')).ino);
    });

    it('cannot bring back an object whose last name was removed', () => {
      const fd = keep(fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW));
      fs.unlinkSync(path.join(dir, 'file'));
      assert.equal(at.linkFdAt(fd, dirFd, b('revived')), 'ENOENT');
      assert.equal(fs.existsSync(path.join(dir, 'revived')), false);
    });

    it('reports an existing name, a name with a slash and a bad descriptor as errno names', () => {
      const fd = keep(fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW));
      assert.equal(at.linkFdAt(fd, dirFd, b('link')), 'EEXIST');
      assert.equal(at.linkFdAt(fd, dirFd, b('sub/x')), 'EINVAL');
      assert.equal(at.linkFdAt(fd, dirFd, Buffer.alloc(256, 0x61)), 'ENAMETOOLONG');
      assert.equal(at.linkFdAt(fd, -100, b('x')), 'EBADF');
      assert.equal(fs.existsSync(path.join(dir, 'sub', 'x')), false);
    });
  });

  describe('readlinkAt', () => {
    it('reads the symlink an O_PATH descriptor holds when the name is empty', () => {
      const fd = keep(fs.openSync(path.join(dir, 'link'), O_PATH | O_NOFOLLOW));
      assert.deepEqual(must(at.readlinkAt(fd, Buffer.alloc(0))), b('file'));
    });

    it('reads a symlink by name in a directory, keeping bytes that are not UTF-8', () => {
      const target = Buffer.from([0x66, 0xff, 0xfe, 0x2f, 0x61]);
      fs.symlinkSync(target, Buffer.from(path.join(dir, 'raw')));
      assert.deepEqual(must(at.readlinkAt(dirFd, b('raw'))), target);
    });

    it('answers EINVAL for an object that is not a symlink', () => {
      const fd = keep(fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW));
      assert.equal(at.readlinkAt(fd, Buffer.alloc(0)), 'EINVAL');
      assert.equal(at.readlinkAt(dirFd, b('missing')), 'ENOENT');
    });
  });

  describe('mknodAt', () => {
    it('makes a FIFO and a socket under the given name, with the given permission bits', () => {
      const umask = process.umask(0);
      try {
        assert.equal(at.mknodAt(dirFd, b('fifo'), S_IFIFO | 0o640, 0, 0), undefined);
        assert.equal(at.mknodAt(dirFd, b('sock'), S_IFSOCK | 0o600, 0, 0), undefined);
      } finally {
        process.umask(umask);
      }
      const fifo = fs.lstatSync(path.join(dir, 'fifo'));
      assert.ok(fifo.isFIFO());
      assert.equal(fifo.mode & 0o7777, 0o640);
      assert.ok(fs.lstatSync(path.join(dir, 'sock')).isSocket());
    });

    it('makes a character device with its major and minor numbers', { skip: !isRootProcess }, () => {
      assert.equal(at.mknodAt(dirFd, b('null'), S_IFCHR | 0o666, 1, 3), undefined);
      const st = fs.lstatSync(path.join(dir, 'null'), { bigint: true });
      assert.equal(Number(st.mode) & S_IFMT, S_IFCHR);
      assert.equal(st.rdev, BigInt((1 << 8) | 3));
    });

    it('refuses regular files and directories, and reports an existing name as EEXIST', () => {
      assert.equal(at.mknodAt(dirFd, b('reg'), S_IFREG | 0o600, 0, 0), 'EINVAL');
      assert.equal(at.mknodAt(dirFd, b('file'), S_IFIFO | 0o600, 0, 0), 'EEXIST');
      assert.equal(at.mknodAt(dirFd, b('a/b'), S_IFIFO | 0o600, 0, 0), 'EINVAL');
      assert.equal(fs.existsSync(path.join(dir, 'reg')), false);
    });
  });

  describe('statxAt mount id', () => {
    let mounted: string | undefined;
    afterEach(() => {
      if (mounted !== undefined) execFileSync('umount', ['-l', mounted]);
      mounted = undefined;
    });

    it('is the same inside one mount and differs across a bind mount of the same device', {
      skip: !isRootProcess,
    }, () => {
      fs.mkdirSync(path.join(dir, 'bound'));
      execFileSync('mount', ['--bind', path.join(dir, 'sub'), path.join(dir, 'bound')]);
      mounted = path.join(dir, 'bound');
      const top = must(at.statxAt(dirFd, Buffer.alloc(0), true));
      const sub = must(at.statxAt(dirFd, b('sub'), true));
      const bound = must(at.statxAt(dirFd, b('bound'), true));
      assert.ok(top.mntId > 0n);
      assert.equal(sub.mntId, top.mntId);
      assert.equal(bound.dev, top.dev, 'a bind mount keeps the device number');
      assert.notEqual(bound.mntId, top.mntId);
    });
  });
});
