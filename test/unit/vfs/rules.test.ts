import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Access3,
  accessBits,
  checkSetattr,
  creationMode,
  effectiveChmod,
  mayAccess,
  mayDeleteChild,
  modeAfterWrite,
  R_OK,
  W_OK,
  X_OK,
} from '../../../src/vfs/access.js';
import type { Attrs } from '../../../src/vfs/attrs.js';
import { splitDev } from '../../../src/vfs/attrs.js';
import { squash } from '../../../src/vfs/credentials.js';
import { validateName } from '../../../src/vfs/names.js';
import { FileType } from '../../../src/vfs/types.js';
import { ALICE, BOB, ROOT } from './helpers.js';

const t = { seconds: 0, nseconds: 0 };
function attrs(type: FileType, mode: number, uid: number, gid: number): Attrs {
  return {
    type,
    mode,
    nlink: 1,
    uid,
    gid,
    size: 0n,
    used: 0n,
    rdev: { major: 0, minor: 0 },
    fileid: 1n,
    dev: 1n,
    atime: t,
    mtime: t,
    ctime: t,
  };
}

describe('validateName', () => {
  it('accepts ordinary names, including bytes that are not UTF-8', () => {
    assert.equal(validateName(Buffer.from('file.txt')), undefined);
    assert.equal(validateName(Buffer.from([0xff, 0xfe, 0x41])), undefined);
    assert.equal(validateName(Buffer.alloc(255, 0x61)), undefined);
  });
  it('refuses empty names and names with a slash or NUL', () => {
    assert.equal(validateName(Buffer.alloc(0)), 'EBADNAME');
    assert.equal(validateName(Buffer.from('a/b')), 'EBADNAME');
    assert.equal(validateName(Buffer.from('a\0b')), 'EBADNAME');
  });
  it('refuses names longer than 255 bytes', () => {
    assert.equal(validateName(Buffer.alloc(256, 0x61)), 'ENAMETOOLONG');
  });
});

describe('squash', () => {
  const policy = { rootSquash: true, allSquash: false, anonUid: 65534, anonGid: 65533 };
  it('maps uid 0 and gid 0 (also among supplementary groups) to the anonymous ids under root_squash', () => {
    assert.deepEqual(squash(0, 0, [0, 5], policy), { uid: 65534, gid: 65533, gids: [65533, 5] });
  });
  it('leaves other users alone under root_squash', () => {
    assert.deepEqual(squash(1000, 100, [7], policy), { uid: 1000, gid: 100, gids: [7] });
  });
  it('keeps root with no_root_squash', () => {
    assert.deepEqual(squash(0, 0, [], { ...policy, rootSquash: false }), { uid: 0, gid: 0, gids: [] });
  });
  it('maps everyone to the anonymous ids and drops groups under all_squash', () => {
    assert.deepEqual(squash(1000, 100, [7], { ...policy, allSquash: true }), {
      uid: 65534,
      gid: 65533,
      gids: [],
    });
  });
});

describe('mayAccess', () => {
  const file = attrs(FileType.REG, 0o640, ALICE.uid, 2000);
  it('uses only the owner class for the owner', () => {
    assert.equal(mayAccess(ALICE, file, R_OK | W_OK), true);
    assert.equal(mayAccess(ALICE, attrs(FileType.REG, 0o044, ALICE.uid, 2000), R_OK), false);
  });
  it('grants the group class through a supplementary group', () => {
    assert.equal(mayAccess({ ...BOB, gids: [2000] }, file, R_OK), true);
    assert.equal(mayAccess({ ...BOB, gids: [2000] }, file, W_OK), false);
    assert.equal(mayAccess(BOB, file, R_OK), false);
  });
  it('lets root read and write anything but execute only files with some x bit', () => {
    assert.equal(mayAccess(ROOT, attrs(FileType.REG, 0o000, 5, 5), R_OK | W_OK), true);
    assert.equal(mayAccess(ROOT, attrs(FileType.REG, 0o644, 5, 5), X_OK), false);
    assert.equal(mayAccess(ROOT, attrs(FileType.REG, 0o010, 5, 5), X_OK), true);
    assert.equal(mayAccess(ROOT, attrs(FileType.DIR, 0o000, 5, 5), X_OK), true);
  });
});

describe('accessBits', () => {
  it('reports LOOKUP and DELETE (write+search) for directories, never EXECUTE', () => {
    const dir = attrs(FileType.DIR, 0o755, ALICE.uid, ALICE.gid);
    assert.equal(
      accessBits(ALICE, dir, 0x3f),
      Access3.READ | Access3.LOOKUP | Access3.MODIFY | Access3.EXTEND | Access3.DELETE,
    );
    assert.equal(accessBits(BOB, dir, 0x3f), Access3.READ | Access3.LOOKUP);
  });
  it('reports EXECUTE for files and never DELETE', () => {
    const file = attrs(FileType.REG, 0o755, ALICE.uid, ALICE.gid);
    assert.equal(
      accessBits(ALICE, file, 0x3f),
      Access3.READ | Access3.MODIFY | Access3.EXTEND | Access3.EXECUTE,
    );
  });
  it('answers only what was asked', () => {
    const file = attrs(FileType.REG, 0o777, ALICE.uid, ALICE.gid);
    assert.equal(accessBits(ALICE, file, Access3.READ), Access3.READ);
  });
});

describe('sticky directories', () => {
  const sticky = attrs(FileType.DIR, 0o1777, 0, 0);
  const alicesFile = attrs(FileType.REG, 0o644, ALICE.uid, ALICE.gid);
  it('let only the owner of the entry, of the directory, or root delete it', () => {
    assert.equal(mayDeleteChild(ALICE, sticky, alicesFile), true);
    assert.equal(mayDeleteChild(BOB, sticky, alicesFile), false);
    assert.equal(mayDeleteChild(ROOT, sticky, alicesFile), true);
    assert.equal(mayDeleteChild(BOB, attrs(FileType.DIR, 0o1777, BOB.uid, 0), alicesFile), true);
  });
  it('do not restrict deletion in a directory without the sticky bit', () => {
    assert.equal(mayDeleteChild(BOB, attrs(FileType.DIR, 0o777, 0, 0), alicesFile), true);
  });
});

describe('setattr rules', () => {
  const file = attrs(FileType.REG, 0o644, ALICE.uid, ALICE.gid);
  it('let only the owner or root chmod', () => {
    assert.equal(checkSetattr(ALICE, file, { mode: 0o600 }), undefined);
    assert.equal(checkSetattr(BOB, file, { mode: 0o600 }), 'EPERM');
    assert.equal(checkSetattr(ROOT, file, { mode: 0o600 }), undefined);
  });
  it('let only root change the owner', () => {
    assert.equal(checkSetattr(ALICE, file, { uid: BOB.uid }), 'EPERM');
    assert.equal(checkSetattr(ALICE, file, { uid: ALICE.uid }), undefined);
    assert.equal(checkSetattr(ROOT, file, { uid: BOB.uid }), undefined);
  });
  it('let the owner change the group only to a group they are in', () => {
    assert.equal(checkSetattr({ ...ALICE, gids: [3000] }, file, { gid: 3000 }), undefined);
    assert.equal(checkSetattr(ALICE, file, { gid: 3000 }), 'EPERM');
    assert.equal(checkSetattr({ ...BOB, gids: [3000] }, file, { gid: 3000 }), 'EPERM');
  });
  it('let only the owner or root set explicit times, and writers set them to now', () => {
    const shared = attrs(FileType.REG, 0o666, ALICE.uid, ALICE.gid);
    assert.equal(checkSetattr(BOB, shared, { mtime: { seconds: 1, nseconds: 0 } }), 'EPERM');
    assert.equal(checkSetattr(BOB, shared, { mtime: 'now' }), undefined);
    assert.equal(checkSetattr(BOB, file, { mtime: 'now' }), 'EACCES');
    assert.equal(checkSetattr(ALICE, file, { atime: { seconds: 1, nseconds: 0 } }), undefined);
  });
  it('require write permission to truncate, and refuse truncating directories', () => {
    assert.equal(checkSetattr(BOB, file, { size: 0n }), 'EACCES');
    assert.equal(checkSetattr(ALICE, file, { size: 0n }), undefined);
    assert.equal(checkSetattr(ROOT, attrs(FileType.DIR, 0o755, 0, 0), { size: 0n }), 'EISDIR');
  });
  it('clear setgid when a non-root caller outside the group chmods', () => {
    assert.equal(effectiveChmod(ALICE, 0o2755, 4000), 0o755);
    assert.equal(effectiveChmod({ ...ALICE, gids: [4000] }, 0o2755, 4000), 0o2755);
    assert.equal(effectiveChmod(ROOT, 0o2755, 4000), 0o2755);
  });
  it('strip setuid and group-executable setgid when someone other than root writes', () => {
    assert.equal(modeAfterWrite(BOB, attrs(FileType.REG, 0o6755, ALICE.uid, 0)), 0o755);
    assert.equal(modeAfterWrite(BOB, attrs(FileType.REG, 0o2745, ALICE.uid, 0)), undefined);
    assert.equal(modeAfterWrite(ROOT, attrs(FileType.REG, 0o6755, ALICE.uid, 0)), undefined);
  });
  it('pass the setgid bit of a parent to new directories', () => {
    const parent = attrs(FileType.DIR, 0o2775, 0, 500);
    assert.equal(creationMode(ALICE, parent, 0o755, FileType.DIR, 500), 0o2755);
    assert.equal(creationMode(ALICE, parent, 0o2755, FileType.REG, 500), 0o755);
  });
});

describe('splitDev', () => {
  it('decodes Linux dev_t numbers', () => {
    assert.deepEqual(splitDev(0x0103n), { major: 1, minor: 3 });
    assert.deepEqual(splitDev((259n << 8n) | 5n), { major: 259, minor: 5 });
  });
});
