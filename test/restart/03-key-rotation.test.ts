import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import { activeKeyId, listKeys, nfsgate } from './helpers/cli.js';
import { Gateway } from './helpers/gateway.js';

/** Byte 1 of a handle is the id of the key that sealed it. */
const keyIdOf = (fh: Fh) => fh[1]!;
const PICKUP_DEADLINE_MS = 5_000;

interface Sealed {
  readonly root: Fh;
  readonly dir: Fh;
  readonly file: Fh;
}

async function takeHandles(c: Nfs3Client, root: Fh): Promise<Sealed> {
  return { root, dir: await c.lookupPath(root, 'dir'), file: await c.lookupPath(root, 'dir/file.txt') };
}

async function statuses(c: Nfs3Client, s: Sealed): Promise<string[]> {
  return Promise.all([s.root, s.dir, s.file].map(async (fh) => statusName((await c.getattr(fh)).status)));
}

describe('key rotation between restarts', () => {
  let gw: Gateway;
  let first: Sealed;
  let firstKey: number;
  let second: Sealed;
  let secondKey: number;

  before(async () => {
    gw = await Gateway.start();
    const dir = handleOf(ok(await gw.client.mkdir(gw.root, 'dir'), 'MKDIR').resok.obj);
    await gw.client.writeFile(dir, 'file.txt', Buffer.from('content'));
    first = await takeHandles(gw.client, gw.root);
    firstKey = await activeKeyId(gw.server.stateDir);
  });

  after(async () => {
    await gw?.close();
  });

  it('seals every handle with the active key, whose id is byte 1', () => {
    for (const fh of Object.values(first)) assert.equal(keyIdOf(fh), firstKey);
  });

  it('keeps old handles working after a rotation done while the server was down, and seals new ones with the new key', async () => {
    await gw.server.stop();
    await nfsgate(gw.server.stateDir, 'keys', 'rotate');
    await gw.restart();
    secondKey = await activeKeyId(gw.server.stateDir);
    assert.notEqual(secondKey, firstKey);
    assert.equal((await listKeys(gw.server.stateDir)).get(firstKey), 'verify');
    assert.deepEqual(await statuses(gw.client, first), ['NFS3_OK', 'NFS3_OK', 'NFS3_OK']);
    const root = await gw.client.mount(gw.server.name);
    second = await takeHandles(gw.client, root);
    for (const fh of Object.values(second))
      assert.equal(keyIdOf(fh), secondKey, 'new handles carry the new key id');
    // The same objects: only the seal differs.
    for (const k of ['root', 'dir', 'file'] as const) {
      assert.equal(
        second[k].subarray(2, 16).equals(first[k].subarray(2, 16)),
        true,
        `${k}: same export, object, generation`,
      );
      const a = ok(await gw.client.getattr(first[k])).resok.obj_attributes;
      const b = ok(await gw.client.getattr(second[k])).resok.obj_attributes;
      assert.equal(a.fileid, b.fileid);
    }
  });

  it('answers STALE for the old key after `keys retire` while running, and the new handles keep working', async () => {
    await nfsgate(gw.server.stateDir, 'keys', 'retire', String(firstKey));
    const deadline = Date.now() + PICKUP_DEADLINE_MS;
    let seen = await statuses(gw.client, first);
    while (seen.some((s) => s !== 'NFS3ERR_STALE') && Date.now() < deadline) {
      await sleep(100);
      seen = await statuses(gw.client, first);
    }
    assert.deepEqual(seen, ['NFS3ERR_STALE', 'NFS3ERR_STALE', 'NFS3ERR_STALE']);
    assert.deepEqual(await statuses(gw.client, second), ['NFS3_OK', 'NFS3_OK', 'NFS3_OK']);
    assert.deepEqual(await gw.client.readAll(second.file), Buffer.from('content'));
  });

  it('keeps the retirement across a restart', async () => {
    await gw.restart('kill9');
    assert.deepEqual(await statuses(gw.client, first), ['NFS3ERR_STALE', 'NFS3ERR_STALE', 'NFS3ERR_STALE']);
    assert.deepEqual(await statuses(gw.client, second), ['NFS3_OK', 'NFS3_OK', 'NFS3_OK']);
  });

  it('answers STALE for a key retired while the server was down', async () => {
    await gw.server.stop();
    await nfsgate(gw.server.stateDir, 'keys', 'rotate');
    await gw.restart();
    const third = await takeHandles(gw.client, await gw.client.mount(gw.server.name));
    const thirdKey = keyIdOf(third.file);
    assert.notEqual(thirdKey, secondKey);
    await gw.server.stop();
    await nfsgate(gw.server.stateDir, 'keys', 'retire', String(secondKey));
    await gw.restart();
    assert.deepEqual(await statuses(gw.client, second), ['NFS3ERR_STALE', 'NFS3ERR_STALE', 'NFS3ERR_STALE']);
    assert.deepEqual(await statuses(gw.client, third), ['NFS3_OK', 'NFS3_OK', 'NFS3_OK']);
    assert.equal(keyIdOf(await gw.client.mount(gw.server.name)), thirdKey);
  });

  it('refuses to retire the active key', async () => {
    await assert.rejects(
      nfsgate(gw.server.stateDir, 'keys', 'retire', String(await activeKeyId(gw.server.stateDir))),
    );
  });
});
