import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ftype3 } from '../../src/xdr/generated/nfs3.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, expectStatus, type Fh, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

const SECRET = 'sentinel: this must never leave the host';

interface Snapshot {
  names: string[];
  content: string;
  fileTimes: [bigint, bigint];
  dirTimes: [bigint, bigint];
}

/** Names, content, mtime and ctime of the sentinel directory next to the export. */
function snapshot(dir: string): Snapshot {
  const f = statSync(join(dir, 'secret'), { bigint: true });
  const d = statSync(dir, { bigint: true });
  return {
    names: readdirSync(dir).sort(),
    content: readFileSync(join(dir, 'secret'), 'utf8'),
    fileTimes: [f.mtimeNs, f.ctimeNs],
    dirTimes: [d.mtimeNs, d.ctimeNs],
  };
}

describe('a client cannot reach outside the export', () => {
  let m: Mounted;
  let outside: string;
  let before0: Snapshot;
  /** Every byte any READ or READLINK... returned, to check the sentinel never appears in it. */
  const received: Buffer[] = [];

  const readAny = async (fh: Fh) => {
    const r = await m.client.read(fh, 0, 65536);
    if (r.status === 0) received.push(Buffer.from(r.resok.data));
    return r;
  };

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    outside = m.server.outsideDir;
    writeFileSync(join(outside, 'secret'), SECRET);
    mkdirSync(join(outside, 'subdir'));
    before0 = snapshot(outside);
  });
  after(async () => {
    await m?.close();
  });

  it('LOOKUP of ".." at the root, however often, stays at the root', async () => {
    const rootId = ok(await m.client.getattr(m.root)).resok.obj_attributes.fileid;
    let at = m.root;
    for (let i = 0; i < 5; i++) {
      at = ok(await m.client.lookup(at, '..')).resok.object.data;
      assert.equal(ok(await m.client.getattr(at)).resok.obj_attributes.fileid, rootId);
    }
    expectStatus(await m.client.lookup(at, 'outside'), 'NFS3ERR_NOENT');
    const names = (await m.client.listAll(at)).entries.map((e) => e.name);
    assert.ok(!names.includes('outside') && !names.includes('state'), 'the root lists only the export');
  });

  it('symlinks a client makes to "/", ".." and the sentinel are never followed', async () => {
    const links = [
      ['to-slash', '/'],
      ['to-dotdot', '..'],
      ['to-outside', '../outside'],
      ['to-secret', '../outside/secret'],
      ['to-abs-secret', join(outside, 'secret')],
    ] as const;
    for (const [name, target] of links) {
      const link = handleOf(ok(await m.client.symlink(m.root, name, target)).resok.obj);
      const looked = ok(await m.client.lookup(m.root, name)).resok;
      assert.equal(attrsOf(looked.obj_attributes).type, ftype3.NF3LNK, `${name} is seen as the link itself`);
      assert.notEqual((await readAny(link)).status, 0, `READ through ${name}`);
      expectStatus(await m.client.lookup(link, 'secret'), 'NFS3ERR_NOTDIR');
      expectStatus(await m.client.lookup(link, 'etc'), 'NFS3ERR_NOTDIR');
      expectStatus(await m.client.create(link, 'planted'), 'NFS3ERR_NOTDIR');
      expectStatus(await m.client.mkdir(link, 'planted'), 'NFS3ERR_NOTDIR');
      expectStatus(await m.client.readdir(link, 0n, Buffer.alloc(8), 4096), 'NFS3ERR_NOTDIR');
      expectStatus(
        await m.client.write(link, 0, Buffer.from('overwrite')),
        'NFS3ERR_INVAL',
        'NFS3ERR_ACCES',
        'NFS3ERR_BADTYPE',
      );
      const sa = await m.client.setattr(link, sattr({ mode: 0o777 }));
      assert.ok(sa.status !== 0 || statSync(join(outside, 'secret')).mode !== 0o100777);
    }
    // The links (and not their targets) are what RENAME, LINK and REMOVE act on.
    ok(await m.client.rename(m.root, 'to-secret', m.root, 'renamed-link'));
    ok(await m.client.remove(m.root, 'renamed-link'));
    assert.deepEqual(snapshot(outside), before0);
  });

  it('names with "/" cannot walk out', async () => {
    for (const name of ['../outside/secret', '../outside', 'x/../../outside/secret', '/etc/passwd']) {
      assert.notEqual((await m.client.lookup(m.root, name)).status, 0, `LOOKUP ${name}`);
      assert.notEqual((await m.client.create(m.root, name)).status, 0, `CREATE ${name}`);
      assert.notEqual((await m.client.mkdir(m.root, name)).status, 0, `MKDIR ${name}`);
    }
    assert.deepEqual(snapshot(outside), before0);
  });

  it('a directory the host swaps for a symlink between two requests does not redirect them', async () => {
    const exp = m.server.exportDir;
    mkdirSync(join(exp, 'swap'));
    writeFileSync(join(exp, 'swap', 'secret'), 'inside');
    const dir = await m.client.lookupPath(m.root, 'swap');
    const inner = await m.client.lookupPath(dir, 'secret');
    // Swap: the directory moves away and a symlink to the sentinel directory takes its name.
    renameSync(join(exp, 'swap'), join(exp, 'swap.orig'));
    symlinkSync(outside, join(exp, 'swap'));

    const viaOld = await m.client.lookup(dir, 'secret');
    if (viaOld.status === 0) {
      const r = await readAny(viaOld.resok.object.data);
      assert.equal(ok(r).resok.data.toString(), 'inside', 'the old handle still means the moved directory');
    }
    const innerRead = await readAny(inner);
    if (innerRead.status === 0) assert.equal(innerRead.resok.data.toString(), 'inside');
    const created = await m.client.create(dir, 'planted');
    if (created.status === 0)
      assert.ok(existsSync(join(exp, 'swap.orig', 'planted')), 'created inside, if at all');
    ok(await m.client.write(inner, 0, Buffer.from('INSIDE'), 2));
    assert.equal(readFileSync(join(exp, 'swap.orig', 'secret'), 'utf8'), 'INSIDE');

    const byName = ok(await m.client.lookup(m.root, 'swap')).resok;
    assert.equal(attrsOf(byName.obj_attributes).type, ftype3.NF3LNK);
    expectStatus(await m.client.lookup(byName.object.data, 'secret'), 'NFS3ERR_NOTDIR');
    assert.deepEqual(snapshot(outside), before0);
  });

  it('a file the host swaps for a symlink to the sentinel is not read or written through its old handle', async () => {
    const exp = m.server.exportDir;
    writeFileSync(join(exp, 'victim'), 'victim data');
    const fh = await m.client.lookupPath(m.root, 'victim');
    renameSync(join(exp, 'victim'), join(exp, 'victim.orig'));
    symlinkSync(join(outside, 'secret'), join(exp, 'victim'));
    const r = await readAny(fh);
    if (r.status === 0) assert.equal(r.resok.data.toString(), 'victim data');
    const w = await m.client.write(fh, 0, Buffer.from('clobber'), 2);
    if (w.status === 0) assert.equal(readFileSync(join(exp, 'victim.orig'), 'utf8'), 'clobberdata');
    const again = ok(await m.client.lookup(m.root, 'victim')).resok;
    assert.notEqual((await readAny(again.object.data)).status, 0);
    assert.deepEqual(snapshot(outside), before0);
  });

  it("no READ ever returned the sentinel's content, and the sentinel is unchanged", () => {
    const all = Buffer.concat(received).toString('latin1');
    assert.ok(!all.includes(SECRET));
    assert.deepEqual(snapshot(outside), before0);
  });
});
