import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway } from './helpers/gateway.js';

const REPORT = Buffer.from('a report that moves to another directory\n');

describe('objects moved to another directory, or deleted, on the host while the server is down', () => {
  let gw: Gateway;
  const h: Record<'report' | 'album' | 'photo' | 'doomed', Fh> = {} as never;
  const fileids = new Map<string, bigint>();

  before(async () => {
    gw = await Gateway.start();
    const c = gw.client;
    const inbox = handleOf(ok(await c.mkdir(gw.root, 'inbox'), 'MKDIR').resok.obj);
    h.report = await c.writeFile(inbox, 'report.txt', REPORT);
    h.album = handleOf(ok(await c.mkdir(inbox, 'album'), 'MKDIR').resok.obj);
    h.photo = await c.writeFile(h.album, 'photo.jpg', Buffer.from('jpeg'));
    h.doomed = await c.writeFile(inbox, 'doomed.txt', Buffer.from('gone soon'));
    for (const [k, fh] of Object.entries(h))
      fileids.set(k, ok(await c.getattr(fh)).resok.obj_attributes.fileid);
    await gw.server.kill9();
    // Not a rename within the directory the catalog knows: the objects land in other directories.
    mkdirSync(join(gw.exportDir, 'archive', '2026'), { recursive: true });
    renameSync(
      join(gw.exportDir, 'inbox', 'report.txt'),
      join(gw.exportDir, 'archive', '2026', 'report.txt'),
    );
    renameSync(join(gw.exportDir, 'inbox', 'album'), join(gw.exportDir, 'archive', 'album'));
    rmSync(join(gw.exportDir, 'inbox', 'doomed.txt'));
    await gw.restart('kill9');
  });

  after(async () => {
    await gw?.close();
  });

  it('finds a file moved to another directory through its old handle (the export is searched)', async () => {
    const c = gw.client;
    assert.deepEqual(await c.readAll(h.report), REPORT);
    assert.equal(ok(await c.getattr(h.report)).resok.obj_attributes.fileid, fileids.get('report'));
  });

  it('finds a moved directory and, through it, its children', async () => {
    const c = gw.client;
    assert.equal(ok(await c.getattr(h.album)).resok.obj_attributes.fileid, fileids.get('album'));
    const names = (await c.listAll(h.album)).entries.map((e) => e.name);
    assert.deepEqual(names, ['photo.jpg']);
    assert.deepEqual(await c.readAll(h.photo), Buffer.from('jpeg'));
  });

  it('answers STALE for a file deleted while the server was down, and keeps answering STALE', async () => {
    const c = gw.client;
    assert.equal(statusName((await c.getattr(h.doomed)).status), 'NFS3ERR_STALE');
    assert.equal(statusName((await c.read(h.doomed, 0n, 10)).status), 'NFS3ERR_STALE');
  });
});
