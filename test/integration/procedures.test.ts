import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  ftype3,
} from '../../src/xdr/generated/nfs3.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, expectStatus, expectWcc, type Fh, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

const MiB = 1024 * 1024;
const S_IFMT = 0o170000;

describe('every NFSv3 procedure against a running server (rw, no_root_squash, as root)', () => {
  let m: Mounted;
  let dir: Fh;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    dir = handleOf(ok(await m.client.mkdir(m.root, 'procs', sattr({ mode: 0o755 }))).resok.obj);
  });
  after(() => m?.close());

  const newFile = async (name: string, content?: Buffer): Promise<Fh> =>
    content
      ? m.client.writeFile(dir, name, content)
      : handleOf(ok(await m.client.create(dir, name)).resok.obj);

  it('NULL answers', async () => {
    assert.equal(await m.client.null(), undefined);
  });

  it('GETATTR of the root describes the exported directory (fileid is its inode number)', async () => {
    const a = ok(await m.client.getattr(m.root)).resok.obj_attributes;
    assert.equal(a.type, ftype3.NF3DIR);
    assert.equal(a.fileid, BigInt(statSync(m.server.exportDir).ino));
  });

  describe('LOOKUP', () => {
    it('finds a name and returns its attributes and the directory attributes', async () => {
      const f = await newFile('looked-up');
      const r = ok(await m.client.lookup(dir, 'looked-up')).resok;
      const a = attrsOf(r.obj_attributes);
      assert.equal(a.fileid, ok(await m.client.getattr(f)).resok.obj_attributes.fileid);
      assert.equal(attrsOf(r.dir_attributes).type, ftype3.NF3DIR);
    });

    it('"." is the directory itself', async () => {
      const r = ok(await m.client.lookup(dir, '.')).resok;
      assert.equal(
        attrsOf(r.obj_attributes).fileid,
        ok(await m.client.getattr(dir)).resok.obj_attributes.fileid,
      );
    });

    it('".." of a subdirectory is its parent', async () => {
      const r = ok(await m.client.lookup(dir, '..')).resok;
      const rootId = ok(await m.client.getattr(m.root)).resok.obj_attributes.fileid;
      assert.equal(attrsOf(r.obj_attributes).fileid, rootId);
    });

    it('".." of the export root is the root (same fileid), never the directory above it', async () => {
      const r = ok(await m.client.lookup(m.root, '..')).resok;
      const rootId = ok(await m.client.getattr(m.root)).resok.obj_attributes.fileid;
      assert.equal(attrsOf(r.obj_attributes).fileid, rootId);
      assert.equal(ok(await m.client.getattr(r.object.data)).resok.obj_attributes.fileid, rootId);
    });
  });

  it('ACCESS grants root every right on a regular file it may write and execute', async () => {
    const f = await newFile('access-me');
    ok(await m.client.setattr(f, sattr({ mode: 0o755 })));
    const all = ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_EXECUTE;
    const r = ok(await m.client.access(f, all)).resok;
    assert.equal(r.access & all, all);
    const d = ok(await m.client.access(dir, ACCESS3_LOOKUP | ACCESS3_DELETE | ACCESS3_MODIFY)).resok;
    assert.equal(d.access & ACCESS3_LOOKUP, ACCESS3_LOOKUP);
  });

  describe('READ', () => {
    it('returns the bytes written, with eof when the reply reaches the end of the file', async () => {
      const data = randomBytes(10_000);
      const f = await newFile('read-me', data);
      const whole = ok(await m.client.read(f, 0, 10_000)).resok;
      assert.equal(whole.count, 10_000);
      assert.equal(whole.eof, true);
      assert.deepEqual(Buffer.from(whole.data), data);
      const head = ok(await m.client.read(f, 0, 4096)).resok;
      assert.equal(head.eof, false);
      assert.deepEqual(Buffer.from(head.data), data.subarray(0, 4096));
    });

    it('gives a short read with eof when asked for more than remains', async () => {
      const data = randomBytes(1000);
      const f = await newFile('short-read', data);
      const r = ok(await m.client.read(f, 900, 4096)).resok;
      assert.equal(r.count, 100);
      assert.equal(r.eof, true);
      assert.deepEqual(Buffer.from(r.data), data.subarray(900));
    });

    it('at or past the end returns no data and eof', async () => {
      const f = await newFile('past-end', Buffer.from('abc'));
      for (const offset of [3, 1_000_000]) {
        const r = ok(await m.client.read(f, offset, 100)).resok;
        assert.equal(r.count, 0);
        assert.equal(r.eof, true);
      }
    });

    it('of a directory is refused with ISDIR', async () => {
      expectStatus(await m.client.read(dir, 0, 10), 'NFS3ERR_ISDIR');
    });
  });

  describe('WRITE and COMMIT', () => {
    it('report honestly how stable each write is, with one verifier for the whole server run', async () => {
      const f = await newFile('stable-how');
      const verfs: Buffer[] = [];
      for (const stable of [0, 1, 2] as const) {
        const r = ok(await m.client.write(f, stable * 10, Buffer.from('0123456789'), stable)).resok;
        assert.equal(r.count, 10);
        assert.ok(r.committed >= stable, `asked for stable_how ${stable}, server says ${r.committed}`);
        expectWcc(r.file_wcc, `WRITE stable ${stable}`);
        verfs.push(Buffer.from(r.verf));
      }
      const c = ok(await m.client.commit(f, 0, 0)).resok;
      expectWcc(c.file_wcc, 'COMMIT');
      verfs.push(Buffer.from(c.verf));
      for (const v of verfs) assert.deepEqual(v, verfs[0]);
      assert.equal(
        readFileSync(join(m.server.exportDir, 'procs', 'stable-how'), 'latin1'),
        '0123456789'.repeat(3),
      );
    });

    it('extends the file and updates its size', async () => {
      const f = await newFile('extend');
      const r = ok(await m.client.write(f, 100, Buffer.from('x'), 2)).resok;
      assert.equal(attrsOf(r.file_wcc.after).size, 101n);
    });

    it('accepts a 1 MiB WRITE (the advertised wtmax) in one call', async () => {
      const f = await newFile('one-mib');
      const data = randomBytes(MiB);
      assert.equal(ok(await m.client.write(f, 0, data, 2)).resok.count, MiB);
      const r = ok(await m.client.read(f, 0, MiB)).resok;
      assert.equal(r.count, MiB);
      assert.deepEqual(Buffer.from(r.data), data);
    });

    it('to a directory is refused with ISDIR', async () => {
      expectStatus(await m.client.write(dir, 0, Buffer.from('x')), 'NFS3ERR_ISDIR');
    });
  });

  describe('CREATE', () => {
    it('UNCHECKED creates, and on an existing file keeps it, truncating it when asked for size 0 (as knfsd)', async () => {
      const r = ok(
        await m.client.create(dir, 'unchecked', { mode: 0, obj_attributes: sattr({ mode: 0o640 }) }),
      );
      expectWcc(r.resok.dir_wcc, 'CREATE');
      const a = attrsOf(r.resok.obj_attributes);
      assert.equal(a.type, ftype3.NF3REG);
      assert.equal(a.mode & 0o777, 0o640);
      const f = handleOf(r.resok.obj);
      ok(await m.client.write(f, 0, Buffer.from('kept'), 2));
      const again = ok(await m.client.create(dir, 'unchecked', { mode: 0, obj_attributes: sattr() })).resok;
      assert.equal(attrsOf(again.obj_attributes).fileid, a.fileid);
      assert.equal(attrsOf(again.obj_attributes).size, 4n);
      const truncated = ok(
        await m.client.create(dir, 'unchecked', { mode: 0, obj_attributes: sattr({ size: 0n }) }),
      ).resok;
      assert.equal(attrsOf(truncated.obj_attributes).size, 0n);
    });

    it('GUARDED fails with EXIST on an existing name', async () => {
      ok(await m.client.create(dir, 'guarded', { mode: 1, obj_attributes: sattr() }));
      const again = await m.client.create(dir, 'guarded', { mode: 1, obj_attributes: sattr() });
      expectStatus(again, 'NFS3ERR_EXIST');
      if (again.status !== 0) expectWcc(again.resfail.dir_wcc, 'CREATE failure');
    });

    it('EXCLUSIVE: a retry with the same verifier returns the same file; another verifier gets EXIST', async () => {
      const verf = randomBytes(8);
      const first = ok(await m.client.create(dir, 'exclusive', { mode: 2, verf })).resok;
      const fh1 = handleOf(first.obj);
      const id1 = ok(await m.client.getattr(fh1)).resok.obj_attributes.fileid;
      const retry = ok(await m.client.create(dir, 'exclusive', { mode: 2, verf })).resok;
      assert.equal(ok(await m.client.getattr(handleOf(retry.obj))).resok.obj_attributes.fileid, id1);
      expectStatus(
        await m.client.create(dir, 'exclusive', { mode: 2, verf: randomBytes(8) }),
        'NFS3ERR_EXIST',
      );
      // The client then sets the real attributes with SETATTR, as RFC 1813 says it must.
      ok(await m.client.setattr(fh1, sattr({ mode: 0o600, mtime: 'server', atime: 'server' })));
      assert.equal(ok(await m.client.getattr(fh1)).resok.obj_attributes.mode & 0o777, 0o600);
    });

    it('EXCLUSIVE on a name that already exists as an ordinary file gets EXIST', async () => {
      await newFile('exclusive-existing');
      expectStatus(
        await m.client.create(dir, 'exclusive-existing', { mode: 2, verf: randomBytes(8) }),
        'NFS3ERR_EXIST',
      );
    });
  });

  describe('SETATTR', () => {
    it('changes mode and size, and reports wcc_data', async () => {
      const f = await newFile('setattr', Buffer.alloc(100, 1));
      const r = ok(await m.client.setattr(f, sattr({ mode: 0o604, size: 10n }))).resok;
      expectWcc(r.obj_wcc, 'SETATTR');
      const a = attrsOf(r.obj_wcc.after);
      assert.equal(a.mode & 0o7777, 0o604);
      assert.equal(a.size, 10n);
      assert.equal(statSync(join(m.server.exportDir, 'procs', 'setattr')).size, 10);
    });

    it('sets client times to within FSINFO time_delta, and SET_TO_SERVER_TIME to the server clock', async () => {
      const f = await newFile('times');
      const delta = ok(await m.client.fsinfo(m.root)).resok.time_delta;
      const deltaNs = BigInt(delta.seconds) * 1_000_000_000n + BigInt(delta.nseconds);
      const t = { seconds: 1_000_000_000, nseconds: 123_456_789 };
      const r = ok(await m.client.setattr(f, sattr({ atime: t, mtime: t }))).resok;
      const ns = (x: { seconds: number; nseconds: number }) =>
        BigInt(x.seconds) * 1_000_000_000n + BigInt(x.nseconds);
      for (const got of [attrsOf(r.obj_wcc.after).mtime, attrsOf(r.obj_wcc.after).atime]) {
        const off = ns(got) - ns(t);
        assert.ok(
          off >= -deltaNs && off <= deltaNs,
          `set ${ns(t)} ns, got ${ns(got)} ns (time_delta ${deltaNs} ns)`,
        );
      }
      const now = Date.now() / 1000;
      const s = ok(await m.client.setattr(f, sattr({ mtime: 'server', atime: 'server' }))).resok;
      const mtime = attrsOf(s.obj_wcc.after).mtime.seconds;
      assert.ok(Math.abs(mtime - now) < 5, `server time ${mtime} is not now (${now})`);
    });

    it('honours the ctime guard: NOT_SYNC when it differs, applied when it matches', async () => {
      const f = await newFile('guarded-setattr');
      const ctime = ok(await m.client.getattr(f)).resok.obj_attributes.ctime;
      const stale = { seconds: ctime.seconds - 1, nseconds: ctime.nseconds };
      expectStatus(
        await m.client.setattr(f, sattr({ mode: 0o600 }), { check: true, obj_ctime: stale }),
        'NFS3ERR_NOT_SYNC',
      );
      assert.notEqual(ok(await m.client.getattr(f)).resok.obj_attributes.mode & 0o777, 0o600);
      ok(await m.client.setattr(f, sattr({ mode: 0o600 }), { check: true, obj_ctime: ctime }));
      assert.equal(ok(await m.client.getattr(f)).resok.obj_attributes.mode & 0o777, 0o600);
    });
  });

  it('MKDIR creates a directory with the given mode and refuses an existing name with EXIST', async () => {
    const r = ok(await m.client.mkdir(dir, 'made', sattr({ mode: 0o750 }))).resok;
    expectWcc(r.dir_wcc, 'MKDIR');
    assert.equal(attrsOf(r.obj_attributes).type, ftype3.NF3DIR);
    assert.equal(attrsOf(r.obj_attributes).mode & 0o777, 0o750);
    assert.ok(statSync(join(m.server.exportDir, 'procs', 'made')).isDirectory());
    expectStatus(await m.client.mkdir(dir, 'made'), 'NFS3ERR_EXIST');
  });

  it('SYMLINK stores the target verbatim and READLINK returns it, even one pointing outside', async () => {
    const target = '../../etc/passwd';
    const r = ok(await m.client.symlink(dir, 'escape-link', target)).resok;
    expectWcc(r.dir_wcc, 'SYMLINK');
    const link = handleOf(r.obj);
    assert.equal(ok(await m.client.getattr(link)).resok.obj_attributes.type, ftype3.NF3LNK);
    assert.equal(ok(await m.client.readlink(link)).resok.data.toString(), target);
    const read = await m.client.read(link, 0, 4096);
    assert.notEqual(read.status, 0, 'READ of a symlink handle must not follow it');
    expectStatus(await m.client.lookup(link, 'x'), 'NFS3ERR_NOTDIR');
  });

  it('READLINK of a regular file is INVAL', async () => {
    expectStatus(await m.client.readlink(await newFile('not-a-link')), 'NFS3ERR_INVAL');
  });

  describe('MKNOD', () => {
    it('makes a FIFO and a socket', async () => {
      for (const [name, type, isType] of [
        ['fifo', ftype3.NF3FIFO, 'isFIFO'],
        ['sock', ftype3.NF3SOCK, 'isSocket'],
      ] as const) {
        const r = ok(
          await m.client.mknod(dir, name, { type, pipe_attributes: sattr({ mode: 0o644 }) }),
        ).resok;
        expectWcc(r.dir_wcc, `MKNOD ${name}`);
        assert.equal(attrsOf(r.obj_attributes).type, type);
        assert.ok(statSync(join(m.server.exportDir, 'procs', name))[isType]());
      }
    });

    it('makes a character device for root on a no_root_squash export (1:3, like /dev/null)', async () => {
      const r = ok(
        await m.client.mknod(dir, 'chr', {
          type: ftype3.NF3CHR,
          device: { dev_attributes: sattr({ mode: 0o600 }), spec: { specdata1: 1, specdata2: 3 } },
        }),
      ).resok;
      const a = attrsOf(r.obj_attributes);
      assert.equal(a.type, ftype3.NF3CHR);
      assert.deepEqual(a.rdev, { specdata1: 1, specdata2: 3 });
      const st = statSync(join(m.server.exportDir, 'procs', 'chr'));
      assert.equal(st.mode & S_IFMT, 0o020000);
    });

    it('refuses a regular file or directory type with BADTYPE', async () => {
      expectStatus(await m.client.mknod(dir, 'reg', { type: ftype3.NF3REG }), 'NFS3ERR_BADTYPE');
    });
  });

  it('REMOVE deletes a file and reports wcc_data', async () => {
    await newFile('removed');
    const r = ok(await m.client.remove(dir, 'removed')).resok;
    expectWcc(r.dir_wcc, 'REMOVE');
    expectStatus(await m.client.lookup(dir, 'removed'), 'NFS3ERR_NOENT');
  });

  it('RMDIR deletes an empty directory and reports wcc_data', async () => {
    ok(await m.client.mkdir(dir, 'rmdir-me'));
    const r = ok(await m.client.rmdir(dir, 'rmdir-me')).resok;
    expectWcc(r.dir_wcc, 'RMDIR');
    expectStatus(await m.client.lookup(dir, 'rmdir-me'), 'NFS3ERR_NOENT');
  });

  it("RENAME moves a name and reports both directories' wcc_data", async () => {
    await newFile('before-rename');
    const r = ok(await m.client.rename(dir, 'before-rename', dir, 'after-rename')).resok;
    expectWcc(r.fromdir_wcc, 'RENAME from');
    expectWcc(r.todir_wcc, 'RENAME to');
    expectStatus(await m.client.lookup(dir, 'before-rename'), 'NFS3ERR_NOENT');
    ok(await m.client.lookup(dir, 'after-rename'));
  });

  it('LINK adds a name for the same file and reports wcc_data', async () => {
    const f = await newFile('link-source');
    const r = ok(await m.client.link(f, dir, 'link-second')).resok;
    expectWcc(r.linkdir_wcc, 'LINK');
    assert.equal(attrsOf(r.file_attributes).nlink, 2);
  });

  it('READDIR and READDIRPLUS list the names, and READDIRPLUS hands out working handles', async () => {
    const sub = handleOf(ok(await m.client.mkdir(dir, 'listed')).resok.obj);
    for (const n of ['a', 'b', 'c']) ok(await m.client.create(sub, n));
    const plain = await m.client.listAll(sub);
    assert.deepEqual(plain.entries.map((e) => e.name).sort(), ['a', 'b', 'c']);
    const plus = await m.client.listAll(sub, { plus: true });
    assert.deepEqual(plus.entries.map((e) => e.name).sort(), ['a', 'b', 'c']);
    for (const e of plus.entries) {
      assert.ok(e.handle, `READDIRPLUS gave no handle for ${e.name}`);
      assert.equal(ok(await m.client.getattr(e.handle)).resok.obj_attributes.fileid, e.fileid);
    }
    const raw = ok(await m.client.readdir(sub, 0n, Buffer.alloc(8), 4096)).resok;
    assert.ok(
      raw.reply.entries.some((e) => e.name.toString() === '.'),
      'READDIR lists "."',
    );
    assert.ok(
      raw.reply.entries.some((e) => e.name.toString() === '..'),
      'READDIR lists ".."',
    );
  });

  it('READDIR of a file is NOTDIR', async () => {
    expectStatus(
      await m.client.readdir(await newFile('not-a-dir'), 0n, Buffer.alloc(8), 4096),
      'NFS3ERR_NOTDIR',
    );
  });

  it('FSSTAT tells the truth about space and files', async () => {
    const r = ok(await m.client.fsstat(m.root)).resok;
    assert.ok(
      r.tbytes > 0n && r.fbytes <= r.tbytes && r.abytes <= r.fbytes,
      'bytes: total >= free >= available',
    );
    assert.ok(
      r.tfiles > 0n && r.ffiles <= r.tfiles && r.afiles <= r.ffiles,
      'files: total >= free >= available',
    );
  });

  it('FSINFO advertises 1 MiB rtmax and wtmax, a dtpref, and links, symlinks and settable times', async () => {
    const r = ok(await m.client.fsinfo(m.root)).resok;
    assert.equal(r.rtmax, MiB);
    assert.equal(r.wtmax, MiB);
    assert.ok(r.rtpref > 0 && r.rtpref <= r.rtmax);
    assert.ok(r.wtpref > 0 && r.wtpref <= r.wtmax);
    assert.ok(r.dtpref > 0);
    assert.ok(r.maxfilesize >= 1n << 40n);
    assert.equal(
      r.properties & 0b11011,
      0b11011,
      'FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME',
    );
  });

  it('PATHCONF says names are at most 255 bytes and are not truncated', async () => {
    const r = ok(await m.client.pathconf(m.root)).resok;
    assert.equal(r.name_max, 255);
    assert.equal(r.no_trunc, true);
    assert.ok(r.linkmax >= 1);
  });
});

describe('the write verifier across a restart', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
  });
  after(() => m?.close());

  it('changes, so clients resend their uncommitted writes', async () => {
    const f = await m.client.writeFile(m.root, 'verf', Buffer.from('x'));
    const before = Buffer.from(ok(await m.client.write(f, 0, Buffer.from('y'), 0)).resok.verf);
    await m.client.close();
    await m.server.restart();
    const c = await m.connect();
    const after = Buffer.from(ok(await c.commit(f, 0, 0)).resok.verf);
    assert.notDeepEqual(after, before);
  });
});
