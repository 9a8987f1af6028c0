import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway } from './helpers/gateway.js';

const REPORT = Buffer.from('a report that moves to another directory\n');

/**
 * How a server finds an object that moved while it was down depends on what it can use: kernel file
 * handles (root with the native binding) open the object directly; without them it searches the
 * export. Either way a moved object keeps its handle, and one that left the export or was deleted is
 * STALE. The server logs which way it found each object.
 */
const MODES = [
  { label: 'with kernel file handles', env: {}, finds: 'kernel-handle' },
  { label: 'without kernel file handles', env: { NFSGATE_NO_KERNEL_HANDLES: '1' }, finds: 'export-search' },
] as const;

for (const mode of MODES) {
  describe(`objects moved, moved out of the export, or deleted while the server is down (${mode.label})`, () => {
    let gw: Gateway;
    const h: Record<'report' | 'album' | 'photo' | 'doomed' | 'escaped', Fh> = {} as never;
    const fileids = new Map<string, bigint>();

    before(async () => {
      gw = await Gateway.start({ env: mode.env });
      const c = gw.client;
      const inbox = handleOf(ok(await c.mkdir(gw.root, 'inbox'), 'MKDIR').resok.obj);
      h.report = await c.writeFile(inbox, 'report.txt', REPORT);
      h.album = handleOf(ok(await c.mkdir(inbox, 'album'), 'MKDIR').resok.obj);
      h.photo = await c.writeFile(h.album, 'photo.jpg', Buffer.from('jpeg'));
      h.doomed = await c.writeFile(inbox, 'doomed.txt', Buffer.from('gone soon'));
      h.escaped = await c.writeFile(inbox, 'escaped.txt', Buffer.from('leaves the export'));
      for (const [k, fh] of Object.entries(h))
        fileids.set(k, ok(await c.getattr(fh)).resok.obj_attributes.fileid);
      await gw.server.kill9();
      const root = gw.exportDir;
      mkdirSync(join(root, 'archive', '2026'), { recursive: true });
      renameSync(join(root, 'inbox', 'report.txt'), join(root, 'archive', '2026', 'report.txt'));
      renameSync(join(root, 'inbox', 'album'), join(root, 'archive', 'album'));
      rmSync(join(root, 'inbox', 'doomed.txt'));
      renameSync(join(root, 'inbox', 'escaped.txt'), join(gw.server.outsideDir, 'escaped.txt'));
      writeFileSync(join(root, 'inbox', 'unrelated.txt'), 'x');
      await gw.restart('kill9');
    });

    after(async () => {
      await gw?.close();
    });

    it('finds a file moved to another directory through its old handle', async () => {
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

    it(`says it found them by ${mode.finds}`, () => {
      const found = gw.server.logLines().filter((l) => /found again/.test(String(l.msg)));
      assert.ok(found.length >= 2, 'the moved file and directory were found again');
      assert.ok(
        found.every((l) => l.how === mode.finds),
        `found by: ${found.map((l) => String(l.how)).join(', ')}`,
      );
    });

    it('answers STALE for a file moved out of the export: it is not served from outside', async () => {
      const c = gw.client;
      assert.equal(statusName((await c.getattr(h.escaped)).status), 'NFS3ERR_STALE');
      assert.equal(statusName((await c.read(h.escaped, 0n, 10)).status), 'NFS3ERR_STALE');
    });

    it('answers STALE for a file deleted while the server was down, and keeps answering STALE', async () => {
      const c = gw.client;
      assert.equal(statusName((await c.getattr(h.doomed)).status), 'NFS3ERR_STALE');
      assert.equal(statusName((await c.read(h.doomed, 0n, 10)).status), 'NFS3ERR_STALE');
    });
  });
}
