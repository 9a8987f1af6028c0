import assert from 'node:assert/strict';
import { linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway, type Shutdown } from './helpers/gateway.js';

const BODY = Buffer.from('one object, several names\n');

/** The handle still names the object: attributes, the same fileid, and its bytes. */
async function expectAlive(c: Nfs3Client, fh: Fh, fileid: bigint, what: string): Promise<void> {
  const g = await c.getattr(fh);
  assert.equal(statusName(g.status), 'NFS3_OK', `${what}: GETATTR`);
  assert.equal(ok(g).resok.obj_attributes.fileid, fileid, `${what}: fileid`);
  assert.deepEqual(await c.readAll(fh), BODY, `${what}: READ`);
}

async function expectStale(c: Nfs3Client, fh: Fh, what: string): Promise<void> {
  assert.equal(statusName((await c.getattr(fh)).status), 'NFS3ERR_STALE', `${what}: GETATTR`);
  assert.equal(statusName((await c.read(fh, 0, 16)).status), 'NFS3ERR_STALE', `${what}: READ`);
}

/**
 * knfsd and Ganesha keep a handle valid while its object has any name left: removing one name of a
 * hard-linked file must not make the handle of that name STALE. Both with and without kernel file
 * handles, since without them the other names are found by searching.
 */
const MODES = [
  { label: 'with kernel file handles', env: {} },
  { label: 'without kernel file handles', env: { NFSGATE_NO_KERNEL_HANDLES: '1' } },
] as const;

for (const mode of MODES) {
  describe(`hard-linked files keep their handles while any name is left (${mode.label})`, () => {
    let gw: Gateway;

    before(async () => {
      gw = await Gateway.start({ env: mode.env });
    });

    after(async () => {
      await gw?.close();
    });

    for (const how of ['sigterm', 'kill9'] as Shutdown[]) {
      it(`a file linked on the host keeps its handle as each name is removed, across restarts (${how})`, async () => {
        const dir = `host-${how}`;
        const root = gw.exportDir;
        mkdirSync(join(root, dir, 'elsewhere'), { recursive: true });
        writeFileSync(join(root, dir, 'a'), BODY);
        linkSync(join(root, dir, 'a'), join(root, dir, 'b'));
        linkSync(join(root, dir, 'a'), join(root, dir, 'elsewhere', 'c'));
        const c0 = gw.client;
        const d = await c0.lookupPath(gw.root, dir);
        const fh = await c0.lookupPath(d, 'a');
        const fileid = ok(await c0.getattr(fh)).resok.obj_attributes.fileid;

        ok(await c0.remove(d, 'a'), 'REMOVE a');
        await expectAlive(gw.client, fh, fileid, 'a removed, b and c left');
        await gw.restart(how);
        await expectAlive(gw.client, fh, fileid, `a removed, after a restart (${how})`);

        ok(await gw.client.remove(await gw.client.lookupPath(gw.root, dir), 'b'), 'REMOVE b');
        await expectAlive(gw.client, fh, fileid, 'only c left, in another directory');
        await gw.restart(how);
        await expectAlive(gw.client, fh, fileid, `only c left, after a restart (${how})`);

        const elsewhere = await gw.client.lookupPath(gw.root, `${dir}/elsewhere`);
        ok(await gw.client.remove(elsewhere, 'c'), 'REMOVE c');
        await expectStale(gw.client, fh, 'every name removed');
        await gw.restart(how);
        await expectStale(gw.client, fh, `every name removed, after a restart (${how})`);
      });

      it(`a file linked over NFS keeps every handle until its last name is removed, across restarts (${how})`, async () => {
        const c0 = gw.client;
        const d = handleOf(ok(await c0.mkdir(gw.root, `nfs-${how}`), 'MKDIR').resok.obj);
        const sub = handleOf(ok(await c0.mkdir(d, 'sub'), 'MKDIR').resok.obj);
        const fh = await c0.writeFile(d, 'first', BODY);
        ok(await c0.link(fh, d, 'second'), 'LINK second');
        ok(await c0.link(fh, sub, 'third'), 'LINK sub/third');
        const second = await c0.lookupPath(d, 'second');
        const third = await c0.lookupPath(sub, 'third');
        const fileid = ok(await c0.getattr(fh)).resok.obj_attributes.fileid;

        ok(await c0.remove(d, 'first'), 'REMOVE first');
        for (const h of [fh, second, third]) await expectAlive(gw.client, h, fileid, 'first removed');
        await gw.restart(how);
        for (const h of [fh, second, third])
          await expectAlive(gw.client, h, fileid, `first removed, after a restart (${how})`);

        ok(await gw.client.remove(d, 'second'), 'REMOVE second');
        for (const h of [fh, second, third]) await expectAlive(gw.client, h, fileid, 'only sub/third left');
        await gw.restart(how);
        for (const h of [fh, second, third])
          await expectAlive(gw.client, h, fileid, `only sub/third left, after a restart (${how})`);

        ok(await gw.client.remove(sub, 'third'), 'REMOVE sub/third');
        for (const h of [fh, second, third]) await expectStale(gw.client, h, 'every name removed');
        await gw.restart(how);
        for (const h of [fh, second, third])
          await expectStale(gw.client, h, `every name removed, after a restart (${how})`);
      });
    }

    it('a file replaced by RENAME under one of its names keeps its handle through its other name', async () => {
      const c = gw.client;
      const d = handleOf(ok(await c.mkdir(gw.root, 'renamed-over'), 'MKDIR').resok.obj);
      const fh = await c.writeFile(d, 'kept', BODY);
      ok(await c.link(fh, d, 'alias'), 'LINK alias');
      await c.writeFile(d, 'newcomer', Buffer.from('takes the name kept\n'));
      const fileid = ok(await c.getattr(fh)).resok.obj_attributes.fileid;
      ok(await c.rename(d, 'newcomer', d, 'kept'), 'RENAME newcomer over kept');
      await expectAlive(c, fh, fileid, 'renamed over, alias left');
      await gw.restart('kill9');
      await expectAlive(gw.client, fh, fileid, 'renamed over, alias left, after kill -9');
      ok(await gw.client.remove(d, 'alias'), 'REMOVE alias');
      await expectStale(gw.client, fh, 'the last name removed');
    });

    it('rename(a, b); link(b, a); unlink(b); rename(a, b); link(b, a) succeeds (maildir delivery)', async () => {
      const c = gw.client;
      const d = handleOf(ok(await c.mkdir(gw.root, 'maildir'), 'MKDIR').resok.obj);
      const fh = await c.writeFile(d, 'a', BODY);
      const fileid = ok(await c.getattr(fh)).resok.obj_attributes.fileid;
      ok(await c.rename(d, 'a', d, 'b'), 'rename(a, b)');
      ok(await c.link(fh, d, 'a'), 'link(b, a)');
      ok(await c.remove(d, 'b'), 'unlink(b)');
      ok(await c.rename(d, 'a', d, 'b'), 'rename(a, b) again');
      ok(await c.link(fh, d, 'a'), 'link(b, a) again');
      await expectAlive(c, fh, fileid, 'after the dance');
      assert.equal(ok(await c.getattr(fh)).resok.obj_attributes.nlink, 2);
    });
  });
}
