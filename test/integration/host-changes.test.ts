import assert from 'node:assert/strict';
import { existsSync, linkSync, readdirSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { expectStatus, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

describe('objects moved or deleted on the host are checked on use', () => {
  let m: Mounted;
  const host = (...parts: string[]) => join(m.server.exportDir, ...parts);

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
  });
  after(async () => {
    await m?.close();
  });

  it('a directory moved out of the export is STALE, and a CREATE through its handle makes nothing', async () => {
    const d = handleOf(ok(await m.client.mkdir(m.root, 'leaving', sattr({ mode: 0o755 }))).resok.obj);
    ok(await m.client.create(d, 'before'));
    ok(await m.client.getattr(d));
    renameSync(host('leaving'), join(m.server.outsideDir, 'leaving'));
    expectStatus(await m.client.getattr(d), 'NFS3ERR_STALE');
    expectStatus(await m.client.create(d, 'after'), 'NFS3ERR_STALE');
    expectStatus(await m.client.mkdir(d, 'afterdir'), 'NFS3ERR_STALE');
    expectStatus(await m.client.lookup(d, 'before'), 'NFS3ERR_STALE');
    assert.deepEqual(readdirSync(join(m.server.outsideDir, 'leaving')), ['before']);
  });

  it('objects below a directory moved out of the export are STALE too', async () => {
    const top = handleOf(ok(await m.client.mkdir(m.root, 'top', sattr({ mode: 0o755 }))).resok.obj);
    const mid = handleOf(ok(await m.client.mkdir(top, 'mid', sattr({ mode: 0o755 }))).resok.obj);
    const file = handleOf(ok(await m.client.create(mid, 'file')).resok.obj);
    ok(await m.client.write(file, 0, Buffer.from('inside')));
    ok(await m.client.read(file, 0, 10));
    renameSync(host('top'), join(m.server.outsideDir, 'top'));
    expectStatus(await m.client.read(file, 0, 10), 'NFS3ERR_STALE');
    expectStatus(await m.client.write(file, 0, Buffer.from('leak')), 'NFS3ERR_STALE');
    expectStatus(await m.client.getattr(mid), 'NFS3ERR_STALE');
    expectStatus(await m.client.create(mid, 'new'), 'NFS3ERR_STALE');
    assert.deepEqual(readdirSync(join(m.server.outsideDir, 'top', 'mid')), ['file']);
  });

  it('a directory moved elsewhere inside the export keeps its handle', async () => {
    const a = handleOf(ok(await m.client.mkdir(m.root, 'a', sattr({ mode: 0o755 }))).resok.obj);
    ok(await m.client.mkdir(m.root, 'b', sattr({ mode: 0o755 })));
    const f = handleOf(ok(await m.client.create(a, 'f')).resok.obj);
    ok(await m.client.getattr(a));
    renameSync(host('a'), host('b', 'a'));
    ok(await m.client.getattr(a));
    ok(await m.client.getattr(f));
    ok(await m.client.create(a, 'made-after-move'));
    assert.ok(existsSync(host('b', 'a', 'made-after-move')));
  });

  it('a file deleted on the host is STALE at once', async () => {
    const f = handleOf(ok(await m.client.create(m.root, 'doomed')).resok.obj);
    ok(await m.client.write(f, 0, Buffer.from('old data')));
    ok(await m.client.read(f, 0, 100));
    unlinkSync(host('doomed'));
    expectStatus(await m.client.getattr(f), 'NFS3ERR_STALE');
    expectStatus(await m.client.read(f, 0, 100), 'NFS3ERR_STALE');
    expectStatus(await m.client.write(f, 0, Buffer.from('x')), 'NFS3ERR_STALE');
  });

  it('a symlink and a directory deleted on the host are STALE at once', async () => {
    const l = handleOf(ok(await m.client.symlink(m.root, 'sym', 'somewhere')).resok.obj);
    const d = handleOf(ok(await m.client.mkdir(m.root, 'emptydir', sattr({ mode: 0o755 }))).resok.obj);
    ok(await m.client.readlink(l));
    ok(await m.client.getattr(d));
    unlinkSync(host('sym'));
    renameSync(host('emptydir'), host('emptydir-renamed'));
    rmdirSync(host('emptydir-renamed'));
    expectStatus(await m.client.readlink(l), 'NFS3ERR_STALE');
    expectStatus(await m.client.getattr(d), 'NFS3ERR_STALE');
  });

  it('a file that loses one of two names on the host stays live', async () => {
    const f = handleOf(ok(await m.client.create(m.root, 'twice')).resok.obj);
    ok(await m.client.write(f, 0, Buffer.from('kept')));
    linkSync(host('twice'), host('twice-other'));
    unlinkSync(host('twice'));
    assert.equal(ok(await m.client.read(f, 0, 100)).resok.data.toString(), 'kept');
  });

  it('a file whose name is taken over on the host keeps its handle while it has another name', async () => {
    const f = handleOf(ok(await m.client.create(m.root, 'taken')).resok.obj);
    ok(await m.client.write(f, 0, Buffer.from('still here')));
    const newcomer = handleOf(ok(await m.client.create(m.root, 'newcomer')).resok.obj);
    linkSync(host('taken'), host('taken-elsewhere'));
    renameSync(host('newcomer'), host('taken'));
    // The client looks the name up again and learns it is another file now.
    const looked = ok(await m.client.lookup(m.root, 'taken')).resok.object.data;
    assert.deepEqual(looked, newcomer);
    assert.equal(ok(await m.client.read(f, 0, 100)).resok.data.toString(), 'still here');
    unlinkSync(host('taken-elsewhere'));
    expectStatus(await m.client.getattr(f), 'NFS3ERR_STALE');
  });

  it('a file whose name is taken over on the host with no other name left is STALE', async () => {
    const f = handleOf(ok(await m.client.create(m.root, 'replaced')).resok.obj);
    ok(await m.client.getattr(f));
    const newcomer = handleOf(ok(await m.client.create(m.root, 'replacement')).resok.obj);
    renameSync(host('replacement'), host('replaced'));
    assert.deepEqual(ok(await m.client.lookup(m.root, 'replaced')).resok.object.data, newcomer);
    expectStatus(await m.client.getattr(f), 'NFS3ERR_STALE');
  });
});
