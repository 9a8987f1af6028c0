import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { expectStatus, type Fh, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

describe('RENAME, LINK, REMOVE and RMDIR follow POSIX rules', () => {
  let m: Mounted;
  let n = 0;
  /** A fresh directory per test, so tests do not see each other's names. */
  const freshDir = async (): Promise<Fh> =>
    handleOf(ok(await m.client.mkdir(m.root, `case-${++n}`, sattr({ mode: 0o755 }))).resok.obj);
  const file = async (dir: Fh, name: string, content = name): Promise<Fh> =>
    m.client.writeFile(dir, name, Buffer.from(content));
  const fileid = async (fh: Fh) => ok(await m.client.getattr(fh)).resok.obj_attributes.fileid;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
  });
  after(() => m?.close());

  it('RENAME within a directory keeps the object (same fileid, handle still valid)', async () => {
    const d = await freshDir();
    const f = await file(d, 'old');
    const id = await fileid(f);
    ok(await m.client.rename(d, 'old', d, 'new'));
    assert.equal(await fileid(f), id);
    assert.equal(await fileid(await m.client.lookupPath(d, 'new')), id);
    assert.deepEqual(await m.client.readAll(f), Buffer.from('old'));
  });

  it('RENAME across directories moves the object and its handle keeps working', async () => {
    const a = await freshDir();
    const b = await freshDir();
    const f = await file(a, 'moving');
    ok(await m.client.rename(a, 'moving', b, 'moved'));
    expectStatus(await m.client.lookup(a, 'moving'), 'NFS3ERR_NOENT');
    assert.equal(await fileid(await m.client.lookupPath(b, 'moved')), await fileid(f));
    assert.deepEqual(await m.client.readAll(f), Buffer.from('moving'));
  });

  it("RENAME over an existing file replaces it; the replaced file's handle becomes STALE", async () => {
    const d = await freshDir();
    const src = await file(d, 'src', 'new content');
    const victim = await file(d, 'dst', 'old content');
    ok(await m.client.rename(d, 'src', d, 'dst'));
    assert.deepEqual(await m.client.readAll(await m.client.lookupPath(d, 'dst')), Buffer.from('new content'));
    assert.equal(await fileid(src), await fileid(await m.client.lookupPath(d, 'dst')));
    expectStatus(await m.client.getattr(victim), 'NFS3ERR_STALE');
  });

  it('RENAME of a directory over an empty directory succeeds', async () => {
    const d = await freshDir();
    ok(await m.client.mkdir(d, 'from'));
    ok(await m.client.mkdir(d, 'to'));
    ok(await m.client.rename(d, 'from', d, 'to'));
    expectStatus(await m.client.lookup(d, 'from'), 'NFS3ERR_NOENT');
  });

  it('RENAME of a directory over a non-empty directory is NOTEMPTY (or EXIST)', async () => {
    const d = await freshDir();
    ok(await m.client.mkdir(d, 'from'));
    const to = handleOf(ok(await m.client.mkdir(d, 'to')).resok.obj);
    await file(to, 'occupant');
    expectStatus(await m.client.rename(d, 'from', d, 'to'), 'NFS3ERR_NOTEMPTY', 'NFS3ERR_EXIST');
    ok(await m.client.lookup(to, 'occupant'));
  });

  it('RENAME of a file over a directory is ISDIR; of a directory over a file is NOTDIR', async () => {
    const d = await freshDir();
    await file(d, 'f');
    ok(await m.client.mkdir(d, 'dir'));
    expectStatus(await m.client.rename(d, 'f', d, 'dir'), 'NFS3ERR_ISDIR');
    expectStatus(await m.client.rename(d, 'dir', d, 'f'), 'NFS3ERR_NOTDIR');
  });

  it('RENAME of a directory into its own subdirectory is INVAL', async () => {
    const d = await freshDir();
    const parent = handleOf(ok(await m.client.mkdir(d, 'parent')).resok.obj);
    const child = handleOf(ok(await m.client.mkdir(parent, 'child')).resok.obj);
    expectStatus(await m.client.rename(d, 'parent', child, 'loop'), 'NFS3ERR_INVAL');
  });

  it('RENAME of a missing name is NOENT', async () => {
    const d = await freshDir();
    expectStatus(await m.client.rename(d, 'ghost', d, 'still-ghost'), 'NFS3ERR_NOENT');
  });

  it('LINK: hard links share the fileid and count in nlink', async () => {
    const d = await freshDir();
    const f = await file(d, 'one');
    ok(await m.client.link(f, d, 'two'));
    const two = await m.client.lookupPath(d, 'two');
    assert.equal(await fileid(two), await fileid(f));
    assert.equal(ok(await m.client.getattr(f)).resok.obj_attributes.nlink, 2);
    expectStatus(await m.client.link(f, d, 'one'), 'NFS3ERR_EXIST');
  });

  it('LINK to a directory is refused (ISDIR or PERM... never a second name for a directory)', async () => {
    const d = await freshDir();
    const sub = handleOf(ok(await m.client.mkdir(d, 'sub')).resok.obj);
    const r = await m.client.link(sub, d, 'sub-link');
    assert.notEqual(r.status, 0);
  });

  it('REMOVE of one hard link keeps the other name and the handle got through the removed name working', async () => {
    const d = await freshDir();
    const f = await file(d, 'first', 'shared data');
    ok(await m.client.link(f, d, 'second'));
    ok(await m.client.remove(d, 'first'));
    assert.deepEqual(await m.client.readAll(f), Buffer.from('shared data'));
    assert.equal(ok(await m.client.getattr(f)).resok.obj_attributes.nlink, 1);
    ok(await m.client.write(f, 0, Buffer.from('SHARED'), 2));
    assert.deepEqual(
      await m.client.readAll(await m.client.lookupPath(d, 'second')),
      Buffer.from('SHARED data'),
    );
  });

  it('a host-side unlink of the name a handle came through does not stale it while another link remains', async () => {
    const d = await freshDir();
    const f = await file(d, 'a', 'host moves me');
    ok(await m.client.link(f, d, 'b'));
    const dirPath = join(m.server.exportDir, `case-${n}`);
    rmSync(join(dirPath, 'a'));
    assert.deepEqual(await m.client.readAll(f), Buffer.from('host moves me'));
    assert.ok(existsSync(join(dirPath, 'b')));
  });

  it('REMOVE of a directory is refused (ISDIR, as Linux) and RMDIR of a file is NOTDIR', async () => {
    const d = await freshDir();
    ok(await m.client.mkdir(d, 'a-dir'));
    await file(d, 'a-file');
    expectStatus(await m.client.remove(d, 'a-dir'), 'NFS3ERR_ISDIR', 'NFS3ERR_PERM', 'NFS3ERR_ACCES');
    expectStatus(await m.client.rmdir(d, 'a-file'), 'NFS3ERR_NOTDIR');
  });

  it('RMDIR of a non-empty directory is NOTEMPTY; of "." is refused', async () => {
    const d = await freshDir();
    const full = handleOf(ok(await m.client.mkdir(d, 'full')).resok.obj);
    await file(full, 'x');
    expectStatus(await m.client.rmdir(d, 'full'), 'NFS3ERR_NOTEMPTY', 'NFS3ERR_EXIST');
    // Linux rmdir(2) says EINVAL; knfsd's name lookup refuses "." with EACCES: both keep the directory.
    expectStatus(await m.client.rmdir(full, '.'), 'NFS3ERR_INVAL', 'NFS3ERR_ACCES');
    ok(await m.client.getattr(full));
  });
});

describe('errors are answered with the RFC 1813 status', () => {
  let m: Mounted;
  let d: Fh;
  let f: Fh;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    d = handleOf(ok(await m.client.mkdir(m.root, 'errs', sattr({ mode: 0o755 }))).resok.obj);
    f = await m.client.writeFile(d, 'file', Buffer.from('content'));
  });
  after(() => m?.close());

  it('NOENT for a missing name', async () => {
    expectStatus(await m.client.lookup(d, 'missing'), 'NFS3ERR_NOENT');
    expectStatus(await m.client.remove(d, 'missing'), 'NFS3ERR_NOENT');
    expectStatus(await m.client.rmdir(d, 'missing'), 'NFS3ERR_NOENT');
  });

  it('EXIST for a name taken by MKDIR, SYMLINK, MKNOD and LINK', async () => {
    expectStatus(await m.client.mkdir(d, 'file'), 'NFS3ERR_EXIST');
    expectStatus(await m.client.symlink(d, 'file', 'x'), 'NFS3ERR_EXIST');
    expectStatus(await m.client.mknod(d, 'file', { type: 7, pipe_attributes: sattr() }), 'NFS3ERR_EXIST');
    expectStatus(await m.client.link(f, d, 'file'), 'NFS3ERR_EXIST');
  });

  it('NOTDIR when a file is used as a directory', async () => {
    expectStatus(await m.client.lookup(f, 'x'), 'NFS3ERR_NOTDIR');
    expectStatus(await m.client.create(f, 'x'), 'NFS3ERR_NOTDIR');
    expectStatus(await m.client.mkdir(f, 'x'), 'NFS3ERR_NOTDIR');
  });

  it('NAMETOOLONG for a 256-byte name; 255 bytes is fine', async () => {
    expectStatus(await m.client.create(d, 'n'.repeat(256)), 'NFS3ERR_NAMETOOLONG');
    expectStatus(await m.client.lookup(d, 'n'.repeat(256)), 'NFS3ERR_NAMETOOLONG');
    ok(await m.client.create(d, 'n'.repeat(255)));
  });

  it('a name with "/" or NUL is refused and creates nothing', async () => {
    for (const bad of ['a/b', 'x\0y', '/', '../errs']) {
      const r = await m.client.create(d, bad);
      assert.notEqual(r.status, 0, `CREATE ${JSON.stringify(bad)} was accepted`);
      expectStatus(r, 'NFS3ERR_INVAL', 'NFS3ERR_ACCES', 'NFS3ERR_NOENT', 'NFS3ERR_EXIST');
      expectStatus(await m.client.lookup(d, bad), 'NFS3ERR_INVAL', 'NFS3ERR_ACCES', 'NFS3ERR_NOENT');
    }
    assert.ok(!existsSync(join(m.server.exportDir, 'errs', 'a')));
  });

  it('an empty name is refused', async () => {
    assert.notEqual((await m.client.create(d, '')).status, 0);
    assert.notEqual((await m.client.mkdir(d, '')).status, 0);
  });

  it('BADHANDLE for handles of the wrong size or format; garbage never reaches the filesystem', async () => {
    for (const garbage of [Buffer.alloc(0), Buffer.from('short'), randomBytes(64), Buffer.alloc(32, 0xff)]) {
      expectStatus(await m.client.getattr(garbage), 'NFS3ERR_BADHANDLE', 'NFS3ERR_STALE');
    }
    expectStatus(await m.client.getattr(Buffer.from('short')), 'NFS3ERR_BADHANDLE');
    expectStatus(await m.client.getattr(Buffer.alloc(0)), 'NFS3ERR_BADHANDLE');
  });

  it('STALE for a handle with a flipped bit, a truncated tag or a foreign tag', async () => {
    const flipped = Buffer.from(f);
    flipped[flipped.length - 1]! ^= 1;
    expectStatus(await m.client.getattr(flipped), 'NFS3ERR_STALE', 'NFS3ERR_BADHANDLE');
    const idFlipped = Buffer.from(f);
    idFlipped[idFlipped.length - 20]! ^= 0x10;
    expectStatus(await m.client.getattr(idFlipped), 'NFS3ERR_STALE', 'NFS3ERR_BADHANDLE');
    expectStatus(await m.client.getattr(f.subarray(0, f.length - 1)), 'NFS3ERR_BADHANDLE', 'NFS3ERR_STALE');
  });

  it('STALE for the handle of a removed file, and new files made after it are not reached through it', async () => {
    const victims: { fh: Fh; ino: bigint }[] = [];
    for (let i = 0; i < 20; i++) {
      const fh = await m.client.writeFile(d, `reuse-${i}`, Buffer.from('x'));
      victims.push({ fh, ino: ok(await m.client.getattr(fh)).resok.obj_attributes.fileid });
      ok(await m.client.remove(d, `reuse-${i}`));
    }
    // New files (on the host and through the server) take freed inode numbers on ext4.
    for (let i = 0; i < 20; i++) writeFileSync(join(m.server.exportDir, 'errs', `host-${i}`), 'new');
    for (const v of victims) {
      expectStatus(await m.client.getattr(v.fh), 'NFS3ERR_STALE');
      expectStatus(await m.client.read(v.fh, 0, 10), 'NFS3ERR_STALE');
      expectStatus(await m.client.write(v.fh, 0, Buffer.from('must not land')), 'NFS3ERR_STALE');
    }
    for (let i = 0; i < 20; i++)
      assert.equal(readFileSync(join(m.server.exportDir, 'errs', `host-${i}`), 'utf8'), 'new');
  });

  it('REMOVE frees the file: the server keeps no descriptor of a removed file open', async () => {
    const big = await m.client.writeFile(d, 'space', Buffer.alloc(1 << 20, 7));
    ok(await m.client.remove(d, 'space'));
    expectStatus(await m.client.getattr(big), 'NFS3ERR_STALE');
    const fdDir = `/proc/${m.server.pid}/fd`;
    const open = readdirSync(fdDir).flatMap((fd) => {
      try {
        return [readlinkSync(join(fdDir, fd))];
      } catch {
        return [];
      }
    });
    assert.deepEqual(
      open.filter((p) => p.startsWith(m.server.exportDir) && p.endsWith(' (deleted)')),
      [],
      'a removed file stays allocated while the server holds it open',
    );
  });

  it('ACCES when an ordinary user writes into a directory it may not write', async () => {
    const user = m.client.as({ uid: 1000, gid: 1000 });
    expectStatus(await user.create(d, 'not-yours'), 'NFS3ERR_ACCES');
    expectStatus(await user.mkdir(d, 'not-yours'), 'NFS3ERR_ACCES');
    expectStatus(await user.remove(d, 'file'), 'NFS3ERR_ACCES');
    ok(await m.client.lookup(d, 'file'));
  });

  it('ISDIR for READ and WRITE of a directory', async () => {
    expectStatus(await m.client.read(d, 0, 1), 'NFS3ERR_ISDIR');
    expectStatus(await m.client.write(d, 0, Buffer.from('x')), 'NFS3ERR_ISDIR');
  });
});

describe('a read-only export', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'ro,no_root_squash' });
    writeFileSync(join(m.server.exportDir, 'present'), 'readable');
  });
  after(() => m?.close());

  it('serves reads', async () => {
    const f = await m.client.lookupPath(m.root, 'present');
    assert.deepEqual(await m.client.readAll(f), Buffer.from('readable'));
    assert.equal((await m.client.listAll(m.root)).entries.length, 1);
  });

  it('refuses every change with ROFS and changes nothing', async () => {
    const f = await m.client.lookupPath(m.root, 'present');
    expectStatus(await m.client.create(m.root, 'new'), 'NFS3ERR_ROFS');
    expectStatus(await m.client.mkdir(m.root, 'new'), 'NFS3ERR_ROFS');
    expectStatus(await m.client.symlink(m.root, 'new', 'x'), 'NFS3ERR_ROFS');
    expectStatus(await m.client.mknod(m.root, 'new', { type: 7, pipe_attributes: sattr() }), 'NFS3ERR_ROFS');
    expectStatus(await m.client.write(f, 0, Buffer.from('X')), 'NFS3ERR_ROFS');
    expectStatus(await m.client.setattr(f, sattr({ mode: 0o777 })), 'NFS3ERR_ROFS');
    expectStatus(await m.client.remove(m.root, 'present'), 'NFS3ERR_ROFS');
    expectStatus(await m.client.rename(m.root, 'present', m.root, 'moved'), 'NFS3ERR_ROFS');
    expectStatus(await m.client.link(f, m.root, 'linked'), 'NFS3ERR_ROFS');
    assert.equal(readFileSync(join(m.server.exportDir, 'present'), 'utf8'), 'readable');
    assert.ok(!existsSync(join(m.server.exportDir, 'new')));
  });
});
