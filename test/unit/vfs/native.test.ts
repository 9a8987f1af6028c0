import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kernelHandles } from '../../../src/vfs/kernel-handles.js';
import { type FsAt, nativeAvailable, nativeFsAt, nativeStatus } from '../../../src/vfs/native.js';
import { O_NOFOLLOW, O_PATH } from '../../../src/vfs/proc-path.js';
import { repoRoot } from '../../helpers/repo.js';
import { isRootProcess, b as name, ROOT, sandbox, value } from './helpers.js';

const FORCED_OFF = process.env.NFSGATE_NO_NATIVE === '1';
const S_IFMT = 0o170000n;
const S_IFLNK = 0o120000n;
const O_CLOEXEC = 0o2000000;
const b = (s: string) => Buffer.from(s);

function addon(): FsAt {
  const at = nativeFsAt();
  if (at === undefined) throw new Error(`addon not loaded: ${JSON.stringify(nativeStatus())}`);
  return at;
}

/** The value of a successful call; the errno name otherwise fails the test with that name. */
function must<T>(result: T | string): T {
  if (typeof result === 'string') throw new Error(`expected success, got ${result}`);
  return result;
}

function isCloseOnExec(fd: number): boolean {
  const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const flags = /^flags:\s+([0-7]+)$/m.exec(info);
  assert.ok(flags, 'fdinfo has flags');
  return (Number.parseInt(flags[1]!, 8) & O_CLOEXEC) !== 0;
}

if (FORCED_OFF) {
  describe('native addon forced off', () => {
    it('is not used when NFSGATE_NO_NATIVE=1, whether built or not', async () => {
      assert.equal(nativeAvailable(), false);
      assert.equal(nativeFsAt(), undefined);
      const status = nativeStatus();
      assert.equal(status.available, false);
      assert.match(status.available ? '' : status.reason, /NFSGATE_NO_NATIVE/);
    });
  });
} else {
  describe('native addon (native/fsat.c)', () => {
    let dir: string;
    let dirFd: number;
    let mountFd: number;
    const opened: number[] = [];
    const keep = (fd: number) => {
      opened.push(fd);
      return fd;
    };

    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsat-test-'));
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'file'), 'inside');
      fs.writeFileSync(path.join(dir, 'file'), 'hello');
      fs.symlinkSync('file', path.join(dir, 'link'));
      dirFd = keep(fs.openSync(dir, O_PATH | fs.constants.O_DIRECTORY));
      // open_by_handle_at refuses an O_PATH descriptor as its mount descriptor (EBADF).
      mountFd = keep(fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY));
    });
    afterEach(async () => {
      for (const fd of opened.splice(0)) fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('is built and loaded from native/build/Release of this repository', async () => {
      const status = nativeStatus();
      assert.deepEqual(status, {
        available: true,
        path: path.join(repoRoot(), 'native', 'build', 'Release', 'fsat.node'),
      });
      assert.equal(nativeAvailable(), true);
    });

    describe('statxAt', () => {
      it('reports what node:fs lstat reports, times in nanoseconds', async () => {
        const st = must(addon().statxAt(dirFd, b('file'), true));
        const node = fs.lstatSync(path.join(dir, 'file'), { bigint: true });
        for (const key of ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blocks'] as const) {
          assert.equal(st[key], node[key], key);
        }
        for (const key of ['atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs'] as const) {
          assert.equal(st[key], node[key], key);
        }
      });

      it('reports times before 1970 as negative, like node:fs', async () => {
        // node:fs takes a negative time to mean now, so set it the way a client could.
        const touched = spawnSync('touch', ['-m', '-d', '@-86400', path.join(dir, 'file')]);
        assert.equal(touched.status, 0);
        const st = must(addon().statxAt(dirFd, b('file'), true));
        assert.equal(st.mtimeNs, -86_400_000_000_000n);
      });

      it('reports the birth time of a new file under the temporary directory', async () => {
        const st = must(addon().statxAt(dirFd, b('file'), true));
        assert.ok(st.birthtimeNs > 0n, 'ext4 and tmpfs report a birth time');
        assert.equal(st.birthtimeNs, fs.statSync(path.join(dir, 'file'), { bigint: true }).birthtimeNs);
      });

      it('stats the descriptor itself when the name is empty', async () => {
        const st = must(addon().statxAt(dirFd, Buffer.alloc(0), true));
        assert.equal(st.ino, fs.statSync(dir, { bigint: true }).ino);
      });

      it('does not follow a symlink when asked not to, and does otherwise', async () => {
        const link = must(addon().statxAt(dirFd, b('link'), true));
        assert.equal(link.mode & S_IFMT, S_IFLNK);
        assert.equal(link.ino, fs.lstatSync(path.join(dir, 'link'), { bigint: true }).ino);
        const target = must(addon().statxAt(dirFd, b('link'), false));
        assert.equal(target.ino, fs.statSync(path.join(dir, 'file'), { bigint: true }).ino);
      });

      it('returns system errors as their names instead of throwing', async () => {
        assert.equal(addon().statxAt(dirFd, b('missing'), true), 'ENOENT');
        const fileFd = keep(fs.openSync(path.join(dir, 'file'), O_PATH));
        assert.equal(addon().statxAt(fileFd, b('x'), true), 'ENOTDIR');
        const closed = fs.openSync(dir, O_PATH);
        fs.closeSync(closed);
        assert.equal(addon().statxAt(closed, b('file'), true), 'EBADF');
      });

      it('refuses a name with a slash or NUL, even when that path exists', async () => {
        assert.equal(addon().statxAt(dirFd, b('sub/file'), true), 'EINVAL');
        assert.equal(addon().statxAt(dirFd, b('file\0junk'), true), 'EINVAL');
        assert.equal(addon().statxAt(dirFd, b('/'), true), 'EINVAL');
      });

      it('refuses a name longer than NAME_MAX and a descriptor that is not one (AT_FDCWD)', async () => {
        assert.equal(addon().statxAt(dirFd, Buffer.alloc(256, 0x61), true), 'ENAMETOOLONG');
        assert.equal(addon().statxAt(-100, b('file'), true), 'EBADF');
      });

      it('throws for arguments of the wrong type, which are bugs', async () => {
        const untyped = addon() as unknown as Record<string, (...args: unknown[]) => unknown>;
        assert.throws(() => untyped.statxAt!(dirFd, 'file', true), TypeError);
        assert.throws(() => untyped.statxAt!('3', b('file'), true), TypeError);
        assert.throws(() => untyped.openAt!(dirFd, b('file')), TypeError);
      });
    });

    describe('openAt', () => {
      it('opens a child close-on-exec, the same object node:fs sees', async () => {
        const fd = keep(must(addon().openAt(dirFd, b('file'), fs.constants.O_RDONLY, 0)));
        assert.equal(fs.readFileSync(fd, 'utf8'), 'hello');
        assert.ok(isCloseOnExec(fd));
      });

      it('with O_PATH|O_NOFOLLOW pins the symlink itself, and without O_PATH refuses it', async () => {
        const fd = keep(must(addon().openAt(dirFd, b('link'), O_PATH | O_NOFOLLOW, 0)));
        assert.equal(fs.fstatSync(fd, { bigint: true }).mode & S_IFMT, S_IFLNK);
        assert.equal(addon().openAt(dirFd, b('link'), fs.constants.O_RDONLY | O_NOFOLLOW, 0), 'ELOOP');
      });

      it('creates with the given mode and reports EEXIST as a name', async () => {
        const flags = fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY;
        keep(must(addon().openAt(dirFd, b('new'), flags, 0o640)));
        assert.equal(fs.statSync(path.join(dir, 'new')).mode & 0o777, 0o640 & ~process.umask());
        assert.equal(addon().openAt(dirFd, b('new'), flags, 0o640), 'EEXIST');
      });

      it('refuses a name with a slash or NUL and never opens through it', async () => {
        assert.equal(addon().openAt(dirFd, b('sub/file'), fs.constants.O_RDONLY, 0), 'EINVAL');
        assert.equal(addon().openAt(dirFd, b('sub\0'), fs.constants.O_RDONLY, 0), 'EINVAL');
        const flags = fs.constants.O_CREAT | fs.constants.O_WRONLY;
        assert.equal(addon().openAt(dirFd, b('sub/created'), flags, 0o644), 'EINVAL');
        assert.equal(fs.existsSync(path.join(dir, 'sub', 'created')), false);
      });
    });

    describe('kernel file handles', () => {
      it('describes an object as a struct file_handle with its mount id', async () => {
        const { handle, mountId } = must(addon().nameToHandleAt(dirFd, b('file'), 0));
        assert.equal(handle.readUInt32LE(0), handle.length - 8, 'handle_bytes counts the opaque part');
        assert.ok(handle.length > 8);
        assert.ok(Number.isInteger(mountId) && mountId > 0);
        const self = must(addon().nameToHandleAt(dirFd, Buffer.alloc(0), addon().constants.AT_EMPTY_PATH));
        assert.notDeepEqual(self.handle, handle);
        assert.equal(self.mountId, mountId);
      });

      it('reports errors as names', async () => {
        assert.equal(addon().nameToHandleAt(dirFd, b('missing'), 0), 'ENOENT');
        assert.equal(addon().nameToHandleAt(dirFd, b('sub/file'), 0), 'EINVAL');
        const { handle } = must(addon().nameToHandleAt(dirFd, b('file'), 0));
        assert.equal(
          addon().openByHandleAt(mountFd, handle.subarray(0, handle.length - 1), O_PATH),
          'EINVAL',
        );
        assert.equal(addon().openByHandleAt(mountFd, Buffer.alloc(4), O_PATH), 'EINVAL');
        assert.equal(addon().openByHandleAt(mountFd, Buffer.alloc(8 + 129), O_PATH), 'EINVAL');
      });

      if (isRootProcess) {
        it('opens the same inode again from its handle, wherever it was moved (as root)', async () => {
          const before = fs.statSync(path.join(dir, 'sub', 'file'), { bigint: true });
          const subFd = keep(fs.openSync(path.join(dir, 'sub'), O_PATH));
          const { handle } = must(addon().nameToHandleAt(subFd, b('file'), 0));
          fs.renameSync(path.join(dir, 'sub', 'file'), path.join(dir, 'moved'));
          assert.equal(addon().openByHandleAt(dirFd, handle, O_PATH), 'EBADF', 'an O_PATH mount descriptor');
          const fd = keep(must(addon().openByHandleAt(mountFd, handle, O_PATH)));
          const after = fs.fstatSync(fd, { bigint: true });
          assert.equal(after.ino, before.ino);
          assert.equal(after.birthtimeNs, before.birthtimeNs);
          assert.ok(isCloseOnExec(fd));
        });

        it('answers ESTALE for the handle of a deleted object (as root)', async () => {
          const { handle } = must(addon().nameToHandleAt(dirFd, b('file'), 0));
          fs.unlinkSync(path.join(dir, 'file'));
          assert.equal(addon().openByHandleAt(mountFd, handle, O_PATH), 'ESTALE');
        });
      } else {
        it('answers EPERM to open_by_handle_at without CAP_DAC_READ_SEARCH', async () => {
          const { handle } = must(addon().nameToHandleAt(dirFd, b('file'), 0));
          assert.equal(addon().openByHandleAt(mountFd, handle, O_PATH), 'EPERM');
        });
      }
    });
  });

  describe('kernel handles for vfs nodes', () => {
    if (isRootProcess) {
      it('capture a node and open it again through the O_PATH root after a move (as root)', async () => {
        const box = await sandbox();
        try {
          fs.mkdirSync(path.join(box.exportDir, 'a'));
          fs.writeFileSync(path.join(box.exportDir, 'a', 'f'), 'x');
          const a = (await value(await box.fs.lookup(box.root, name('a'), ROOT))).node;
          const f = (await value(await box.fs.lookup(a, name('f'), ROOT))).node;
          const ops = kernelHandles();
          assert.ok(ops, 'root holds CAP_DAC_READ_SEARCH');
          const handle = ops.capture(f);
          assert.ok(handle);
          fs.renameSync(path.join(box.exportDir, 'a', 'f'), path.join(box.exportDir, 'g'));
          const fd = await ops.open(box.root.fd, handle);
          assert.ok(fd !== undefined);
          const st = fs.fstatSync(fd, { bigint: true });
          fs.closeSync(fd);
          assert.deepEqual({ dev: st.dev, ino: st.ino, btime: st.birthtimeNs }, f.ident);
          // While any descriptor pins the inode, the kernel still opens it (with nlink 0).
          box.fs.closeVNode(f);
          box.fs.closeVNode(a);
          fs.unlinkSync(path.join(box.exportDir, 'g'));
          assert.equal(await ops.open(box.root.fd, handle), undefined, 'a deleted object is not opened');
        } finally {
          box.cleanup();
        }
      });
    } else {
      it('are not offered without CAP_DAC_READ_SEARCH', async () => {
        assert.equal(kernelHandles(), undefined);
      });
    }
  });

  describe('vfs without the native addon', () => {
    it('passes the whole vfs suite with NFSGATE_NO_NATIVE=1 (the /proc/self/fd fallback)', async () => {
      const here = path.dirname(fileURLToPath(import.meta.url));
      const others = fs
        .readdirSync(here)
        .filter((name) => name.endsWith('.test.js') && name !== path.basename(fileURLToPath(import.meta.url)))
        .map((name) => path.join(here, name));
      assert.ok(others.length > 0);
      // Without NODE_TEST_CONTEXT the child runs as a test runner of its own, not as our subtest.
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const args = ['--test', '--test-reporter=tap', '--test-concurrency=1', ...others];
      const run = spawnSync(process.execPath, args, {
        env: { ...env, NFSGATE_NO_NATIVE: '1' },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stdout.slice(-4000) + run.stderr.slice(-2000));
      assert.match(run.stdout, /^# fail 0$/m);
    });
  });
}
