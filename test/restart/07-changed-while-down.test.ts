import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway, type Shutdown } from './helpers/gateway.js';

const NOTES = Buffer.from('notes inside the renamed directory\n');
const DEEP = Buffer.from('two levels under the renamed directory\n');
const OLD_CONFIG = Buffer.from('old config\n');
const NEW_CONFIG = Buffer.from('new config, written next to it and renamed over it\n');

for (const how of ['sigterm', 'kill9'] as Shutdown[]) {
  describe(`the host changes the tree while the server is down (${how})`, () => {
    let gw: Gateway;
    const h: Record<'dir' | 'notes' | 'sub' | 'deep' | 'config', Fh> = {} as never;
    const fileids = new Map<string, bigint>();

    before(async () => {
      gw = await Gateway.start();
      const c = gw.client;
      h.dir = handleOf(ok(await c.mkdir(gw.root, 'projects'), 'MKDIR').resok.obj);
      h.notes = await c.writeFile(h.dir, 'notes.txt', NOTES);
      h.sub = handleOf(ok(await c.mkdir(h.dir, 'sub'), 'MKDIR').resok.obj);
      h.deep = await c.writeFile(h.sub, 'deep.txt', DEEP);
      h.config = await c.writeFile(gw.root, 'config.txt', OLD_CONFIG);
      for (const [k, fh] of Object.entries(h))
        fileids.set(k, ok(await c.getattr(fh)).resok.obj_attributes.fileid);
      if (how === 'kill9') await gw.server.kill9();
      else await gw.server.stop();
      renameSync(join(gw.exportDir, 'projects'), join(gw.exportDir, 'projects-2026'));
      // Editors save this way: a new inode takes the name.
      writeFileSync(join(gw.exportDir, 'config.txt.tmp'), NEW_CONFIG);
      renameSync(join(gw.exportDir, 'config.txt.tmp'), join(gw.exportDir, 'config.txt'));
      await gw.restart(how);
    });

    after(async () => {
      await gw?.close();
    });

    it("finds the renamed directory again through its old handle and its children's handles", async () => {
      const c = gw.client;
      // Children first: the directory itself has not been asked for yet, so its search starts from them.
      assert.deepEqual(
        await c.readAll(h.deep),
        DEEP,
        'READ of a file two levels under the renamed directory',
      );
      assert.deepEqual(await c.readAll(h.notes), NOTES, 'READ of a file in the renamed directory');
      for (const k of ['dir', 'notes', 'sub', 'deep'] as const) {
        const a = ok(await c.getattr(h[k]), `GETATTR ${k}`).resok.obj_attributes;
        assert.equal(a.fileid, fileids.get(k), `${k}: same fileid`);
      }
      const names = (await c.listAll(h.dir)).entries.map((e) => e.name).sort();
      assert.deepEqual(names, ['notes.txt', 'sub']);
      const looked = ok(await c.lookup(gw.root, 'projects-2026'), 'LOOKUP of the new name').resok;
      assert.equal(ok(await c.getattr(looked.object.data)).resok.obj_attributes.fileid, fileids.get('dir'));
      assert.equal(statusName((await c.lookup(gw.root, 'projects')).status), 'NFS3ERR_NOENT');
    });

    it('can still create in the renamed directory through its old handle, where the host sees it', async () => {
      const made = await gw.client.writeFile(h.dir, 'after-restart.txt', Buffer.from('new'));
      ok(await gw.client.getattr(made));
      const names = (await gw.client.listAll(h.dir)).entries.map((e) => e.name).sort();
      assert.deepEqual(names, ['after-restart.txt', 'notes.txt', 'sub']);
    });

    it("answers STALE for the replaced file's old handle, while a LOOKUP of its name gives the new file", async () => {
      const c = gw.client;
      assert.equal(statusName((await c.getattr(h.config)).status), 'NFS3ERR_STALE');
      assert.equal(statusName((await c.read(h.config, 0, 100)).status), 'NFS3ERR_STALE');
      const fresh = ok(await c.lookup(gw.root, 'config.txt'), 'LOOKUP config.txt').resok.object.data;
      assert.notDeepEqual(fresh, h.config);
      assert.notEqual(ok(await c.getattr(fresh)).resok.obj_attributes.fileid, fileids.get('config'));
      assert.deepEqual(await c.readAll(fresh), NEW_CONFIG);
      // And the old handle stays STALE after the name was looked up again.
      assert.equal(statusName((await c.getattr(h.config)).status), 'NFS3ERR_STALE');
    });

    it('keeps all of that after one more restart', async () => {
      await gw.restart(how);
      assert.deepEqual(await gw.client.readAll(h.deep), DEEP);
      ok(await gw.client.getattr(h.dir));
      assert.equal(statusName((await gw.client.getattr(h.config)).status), 'NFS3ERR_STALE');
    });
  });
}
