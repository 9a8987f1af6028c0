import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { requiredFsAt } from '../../../src/vfs/native.js';
import { O_DIRECTORY, O_NOFOLLOW, O_PATH } from '../../../src/vfs/proc-path.js';

const b = (s: string) => Buffer.from(s);
const NONE = Buffer.alloc(0);
const ns = (p: string) => fs.lstatSync(p, { bigint: true });

describe('utimensAt (native/fsat.c)', () => {
  let dir: string;
  let dirFd: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'utimens-'));
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    fs.symlinkSync('file', path.join(dir, 'link'));
    dirFd = fs.openSync(dir, O_PATH | O_DIRECTORY);
  });
  afterEach(() => {
    fs.closeSync(dirFd);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const at = requiredFsAt();

  it('sets both times to the nanosecond by name, including times before 1970', () => {
    assert.equal(at.utimensAt(dirFd, b('file'), 1_600_000_000_123_456_789n, -1_500_000_001n, 0), undefined);
    const st = ns(path.join(dir, 'file'));
    assert.deepEqual([st.atimeNs, st.mtimeNs], [1_600_000_000_123_456_789n, -1_500_000_001n]);
  });

  it("an empty name changes the object an O_PATH descriptor holds; 'omit' leaves a time as it is", () => {
    const fd = fs.openSync(path.join(dir, 'file'), O_PATH | O_NOFOLLOW);
    try {
      const before = ns(path.join(dir, 'file')).atimeNs;
      assert.equal(at.utimensAt(fd, NONE, 'omit', 42_000_000_001n, 0), undefined);
      const st = ns(path.join(dir, 'file'));
      assert.deepEqual([st.atimeNs, st.mtimeNs], [before, 42_000_000_001n]);
      assert.equal(at.utimensAt(fd, NONE, 'now', 'now', at.constants.AT_SYMLINK_NOFOLLOW), 'EINVAL');
    } finally {
      fs.closeSync(fd);
    }
  });

  it("'now' is the current time", () => {
    const start = BigInt(Date.now() - 2000) * 1_000_000n;
    assert.equal(at.utimensAt(dirFd, b('file'), 'now', 'now', 0), undefined);
    const st = ns(path.join(dir, 'file'));
    assert.ok(st.atimeNs >= start && st.mtimeNs >= start);
  });

  it('with AT_SYMLINK_NOFOLLOW changes the symlink itself, not its target', () => {
    const target = ns(path.join(dir, 'file')).mtimeNs;
    assert.equal(
      at.utimensAt(dirFd, b('link'), 'omit', 7_000_000_007n, at.constants.AT_SYMLINK_NOFOLLOW),
      undefined,
    );
    assert.equal(ns(path.join(dir, 'link')).mtimeNs, 7_000_000_007n);
    assert.equal(ns(path.join(dir, 'file')).mtimeNs, target);
  });

  it('refuses names with a slash, unknown flags, AT_FDCWD and wrong types', () => {
    assert.equal(at.utimensAt(dirFd, b('../x'), 'now', 'now', 0), 'EINVAL');
    assert.equal(at.utimensAt(dirFd, b('file'), 'now', 'now', 0x100000), 'EINVAL');
    assert.equal(at.utimensAt(-100, b('file'), 'now', 'now', 0), 'EBADF');
    assert.equal(at.utimensAt(dirFd, b('missing'), 'now', 'now', 0), 'ENOENT');
    assert.equal(at.utimensAt(dirFd, b('file'), 2n ** 64n, 'now', 0), 'EINVAL');
    assert.throws(() => at.utimensAt(dirFd, b('file'), 1 as unknown as bigint, 'now', 0), TypeError);
    assert.throws(() => at.utimensAt(dirFd, b('file'), 'later' as 'now', 'now', 0), TypeError);
  });
});
