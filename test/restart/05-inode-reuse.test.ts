import assert from 'node:assert/strict';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attrsOf, type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway, type Shutdown } from './helpers/gateway.js';

/** How many files may be created before giving up on seeing an inode number again. */
const MAX_ATTEMPTS = 2_000;
const OLD = Buffer.from('the old file, deleted\n');
const NEW = Buffer.from('a new file that reuses the inode number\n');

/** The old handle must be STALE on every use, and never show the new file's attributes or bytes. */
async function expectStaleNeverNew(
  c: Nfs3Client,
  oldFh: Fh,
  newFileid: bigint,
  newFh: Fh | undefined,
  what: string,
) {
  const g = await c.getattr(oldFh);
  if (g.status === 0) {
    assert.notEqual(
      g.resok.obj_attributes.fileid,
      newFileid,
      `${what}: GETATTR of the old handle shows the new file`,
    );
  }
  assert.equal(statusName(g.status), 'NFS3ERR_STALE', `${what}: GETATTR of the old handle`);
  const r = await c.read(oldFh, 0, 4096);
  if (r.status === 0)
    assert.notDeepEqual(
      Buffer.from(r.resok.data),
      NEW,
      `${what}: READ of the old handle gives the new bytes`,
    );
  assert.equal(statusName(r.status), 'NFS3ERR_STALE', `${what}: READ of the old handle`);
  const w = await c.write(oldFh, 0, Buffer.from('must not land in the new file'), 2);
  assert.equal(statusName(w.status), 'NFS3ERR_STALE', `${what}: WRITE through the old handle`);
  if (newFh) {
    assert.deepEqual(await c.readAll(newFh), NEW, `${what}: the new file is untouched`);
    assert.equal(ok(await c.getattr(newFh)).resok.obj_attributes.fileid, newFileid);
  }
}

describe('an inode number reused after a delete', () => {
  let gw: Gateway;
  let filler = 0;

  before(async () => {
    gw = await Gateway.start();
  });

  after(async () => {
    await gw?.close();
  });

  /** Creates `name` through NFS until it gets inode `ino`, moving each miss aside; returns its handle. */
  async function reuseOverNfs(name: string, ino: bigint): Promise<Fh> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const res = ok(await gw.client.create(gw.root, name), `CREATE ${name}`).resok;
      const fh = handleOf(res.obj);
      if (attrsOf(res.obj_attributes).fileid === ino) {
        ok(await gw.client.write(fh, 0, NEW, 2), 'WRITE the new file');
        return fh;
      }
      ok(await gw.client.rename(gw.root, name, gw.root, `filler${filler++}`), 'RENAME aside');
    }
    assert.fail(`inode ${ino} did not come back within ${MAX_ATTEMPTS} creates`);
  }

  /** The same on the host, behind the server's back. */
  function reuseOnHost(name: string, ino: bigint): void {
    const path = join(gw.exportDir, name);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      writeFileSync(path, NEW);
      if (statSync(path, { bigint: true }).ino === ino) return;
      renameSync(path, join(gw.exportDir, `filler${filler++}`));
    }
    assert.fail(`inode ${ino} did not come back within ${MAX_ATTEMPTS} creates on the host`);
  }

  async function victim(name: string): Promise<{ fh: Fh; ino: bigint }> {
    const fh = await gw.client.writeFile(gw.root, name, OLD);
    return { fh, ino: ok(await gw.client.getattr(fh)).resok.obj_attributes.fileid };
  }

  it('answers STALE for the old handle when the same name gets the same inode back over NFS', async () => {
    const old = await victim('reused');
    ok(await gw.client.remove(gw.root, 'reused'), 'REMOVE');
    const fresh = await reuseOverNfs('reused', old.ino);
    await expectStaleNeverNew(gw.client, old.fh, old.ino, fresh, 'no restart');
    await gw.restart();
    await expectStaleNeverNew(gw.client, old.fh, old.ino, fresh, 'after a restart');
  });

  for (const how of ['sigterm', 'kill9'] as Shutdown[]) {
    it(`answers STALE when the file was removed over NFS, the server went down (${how}) and the inode came back meanwhile`, async () => {
      const name = `removed-then-${how}`;
      const old = await victim(name);
      ok(await gw.client.remove(gw.root, name), 'REMOVE');
      if (how === 'kill9') await gw.server.kill9();
      else await gw.server.stop();
      reuseOnHost(name, old.ino);
      await gw.restart(how);
      const fresh = await gw.client.lookupPath(gw.root, name);
      await expectStaleNeverNew(
        gw.client,
        old.fh,
        old.ino,
        fresh,
        `removed over NFS, reused while down (${how})`,
      );
    });

    it(`answers STALE when the host replaced the file under the same name and inode while the server was down (${how})`, async () => {
      const name = `replaced-while-${how}`;
      const old = await victim(name);
      ok(await gw.client.getattr(old.fh));
      if (how === 'kill9') await gw.server.kill9();
      else await gw.server.stop();
      // The catalog still has the old file under this name: only its birth time tells them apart.
      rmSync(join(gw.exportDir, name));
      reuseOnHost(name, old.ino);
      await gw.restart(how);
      await expectStaleNeverNew(
        gw.client,
        old.fh,
        old.ino,
        undefined,
        `replaced on the host while down (${how})`,
      );
      const fresh = await gw.client.lookupPath(gw.root, name);
      assert.equal(ok(await gw.client.getattr(fresh)).resok.obj_attributes.fileid, old.ino);
      assert.notDeepEqual(fresh, old.fh, 'the new file gets a handle of its own');
      assert.deepEqual(await gw.client.readAll(fresh), NEW);
      await expectStaleNeverNew(
        gw.client,
        old.fh,
        old.ino,
        fresh,
        `after the new file was looked up (${how})`,
      );
    });
  }
});
