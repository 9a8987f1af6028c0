import assert from 'node:assert/strict';
import { readdirSync, renameSync, watch } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ftype3 } from '../../src/xdr/generated/nfs3.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, expectStatus, type Fh, handleOf, ok, sattr } from '../helpers/nfs3-client.js';

const NAME_MAX = 255;
const PATH_MAX = 4096;

/** Moves every directory of the deep chain up to the export root, so the host can remove the tree with
 * paths it is able to name. */
function flatten(exportDir: string): void {
  let top = readdirSync(exportDir).find((n) => n.startsWith('000'));
  for (let level = 0; top !== undefined; level++) {
    const child = readdirSync(join(exportDir, top)).find((n) => /^\d{3}d/.test(n));
    if (child === undefined) break;
    const moved = `level-${level}`;
    renameSync(join(exportDir, top, child), join(exportDir, moved));
    top = moved;
  }
}

describe('names and paths are never turned into long path strings', () => {
  let m: Mounted;
  /** A directory whose path on the host is longer than PATH_MAX, and its handle. */
  let deep: Fh;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    // 17 components of 250 bytes: the host path is well beyond PATH_MAX, every name is legal.
    deep = m.root;
    let length = m.server.exportDir.length;
    for (let i = 0; length <= PATH_MAX + 64; i++) {
      const name = `${String(i).padStart(3, '0')}${'d'.repeat(247)}`;
      deep = handleOf(ok(await m.client.mkdir(deep, name, sattr({ mode: 0o755 }))).resok.obj);
      length += name.length + 1;
    }
  });
  after(async () => {
    if (m !== undefined) flatten(m.server.exportDir);
    await m?.close();
  });

  it('LINK gives a file a second name of 255 bytes', async () => {
    const file = handleOf(ok(await m.client.create(m.root, 'short')).resok.obj);
    const long = 'L'.repeat(NAME_MAX);
    const linked = ok(await m.client.link(file, m.root, long));
    assert.equal(attrsOf(linked.resok.file_attributes).nlink, 2);
    const again = ok(await m.client.lookup(m.root, long)).resok.object.data;
    assert.equal(
      ok(await m.client.getattr(again)).resok.obj_attributes.fileid,
      ok(await m.client.getattr(file)).resok.obj_attributes.fileid,
    );
  });

  it('LINK of a file whose own name is 255 bytes works too', async () => {
    const long = 'S'.repeat(NAME_MAX);
    const file = handleOf(ok(await m.client.create(m.root, long)).resok.obj);
    ok(await m.client.link(file, m.root, 'short-name-for-long'));
    assert.equal(ok(await m.client.getattr(file)).resok.obj_attributes.nlink, 2);
  });

  it('LINK inside a directory tree deeper than PATH_MAX works', async () => {
    const file = handleOf(ok(await m.client.create(deep, 'f')).resok.obj);
    ok(await m.client.write(file, 0, Buffer.from('deep data')));
    ok(await m.client.link(file, deep, 'g'));
    const g = ok(await m.client.lookup(deep, 'g')).resok.object.data;
    assert.equal(ok(await m.client.read(g, 0, 100)).resok.data.toString(), 'deep data');
  });

  it('READLINK of a symlink inside a directory tree deeper than PATH_MAX works', async () => {
    const target = `../${'t'.repeat(200)}`;
    const link = handleOf(ok(await m.client.symlink(deep, 'sym', target)).resok.obj);
    assert.equal(ok(await m.client.readlink(link)).resok.data.toString(), target);
  });

  it('LOOKUP of ".." inside a directory tree deeper than PATH_MAX finds the parent', async () => {
    const child = handleOf(ok(await m.client.mkdir(deep, 'child', sattr({ mode: 0o755 }))).resok.obj);
    const up = ok(await m.client.lookup(child, '..')).resok.object.data;
    assert.equal(
      ok(await m.client.getattr(up)).resok.obj_attributes.fileid,
      ok(await m.client.getattr(deep)).resok.obj_attributes.fileid,
    );
  });

  it('MKNOD of a FIFO and a socket inside a directory tree deeper than PATH_MAX works', async () => {
    const fifo = ok(
      await m.client.mknod(deep, 'fifo', { type: ftype3.NF3FIFO, pipe_attributes: sattr({ mode: 0o640 }) }),
    );
    assert.equal(attrsOf(fifo.resok.obj_attributes).type, ftype3.NF3FIFO);
    assert.equal(attrsOf(fifo.resok.obj_attributes).mode, 0o640);
    const sock = ok(
      await m.client.mknod(deep, 'sock', { type: ftype3.NF3SOCK, pipe_attributes: sattr({ mode: 0o600 }) }),
    );
    assert.equal(attrsOf(sock.resok.obj_attributes).type, ftype3.NF3SOCK);
  });

  it('MKNOD makes the node under the client’s name only: no other name ever appears', async () => {
    const dir = handleOf(ok(await m.client.mkdir(m.root, 'watched', sattr({ mode: 0o755 }))).resok.obj);
    const seen = new Set<string>();
    const watcher = watch(`${m.server.exportDir}/watched`, (_event, name) => {
      if (name !== null) seen.add(String(name));
    });
    try {
      ok(await m.client.mknod(dir, 'p', { type: ftype3.NF3FIFO, pipe_attributes: sattr({ mode: 0o600 }) }));
      ok(await m.client.mknod(dir, 's', { type: ftype3.NF3SOCK, pipe_attributes: sattr({ mode: 0o600 }) }));
      ok(
        await m.client.mknod(dir, 'c', {
          type: ftype3.NF3CHR,
          device: { dev_attributes: sattr({ mode: 0o600 }), spec: { specdata1: 1, specdata2: 3 } },
        }),
      );
      // inotify events arrive asynchronously.
      await sleep(200);
    } finally {
      watcher.close();
    }
    assert.deepEqual([...seen].sort(), ['c', 'p', 's']);
  });

  it('MKNOD of an existing name answers EXIST and leaves the directory as it was', async () => {
    const dir = handleOf(ok(await m.client.mkdir(m.root, 'taken', sattr({ mode: 0o755 }))).resok.obj);
    ok(await m.client.create(dir, 'name'));
    expectStatus(
      await m.client.mknod(dir, 'name', { type: ftype3.NF3FIFO, pipe_attributes: sattr({ mode: 0o600 }) }),
      'NFS3ERR_EXIST',
    );
    const names = (await m.client.listAll(dir)).entries
      .map((e) => e.name)
      .filter((n) => n !== '.' && n !== '..');
    assert.deepEqual(names, ['name']);
  });
});
