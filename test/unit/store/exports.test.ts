import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import type { Store } from '../../../src/store/store.js';

const dataRoot = { dev: 2049n, ino: 2n, btime: 1_700_000_000_000_000_001n };
const homeRoot = { dev: 2049n, ino: 131073n, btime: 1_700_000_000_000_000_002n };

describe('ExportRegistry', () => {
  let dir: string;
  let store: Store;
  const restart = (): ExportRegistry => {
    store.close();
    store = openStateStore(dir);
    return new ExportRegistry(store);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-exports-'));
    store = openStateStore(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a new export an id, a 16-byte uuid and a u64 fsid, kept across restarts', () => {
    const first = new ExportRegistry(store).bindExport({
      path: '/srv/data',
      name: '/data',
      rootIdentity: dataRoot,
    });
    assert.equal(first.uuid.length, 16);
    assert.ok(first.fsid >= 0n && first.fsid <= 0xffff_ffff_ffff_ffffn);
    const again = restart().bindExport({ path: '/srv/data', name: '/data', rootIdentity: dataRoot });
    assert.equal(again.id, first.id);
    assert.deepEqual(again.uuid, first.uuid);
    assert.equal(again.fsid, first.fsid);
  });

  it('recognises an export by its root identity when the configuration renames or reorders it', () => {
    const registry = new ExportRegistry(store);
    const data = registry.bindExport({ path: '/srv/data', name: '/data', rootIdentity: dataRoot });
    const home = registry.bindExport({ path: '/srv/home', name: '/home', rootIdentity: homeRoot });

    const reordered = restart();
    const home2 = reordered.bindExport({ path: '/mnt/people', name: '/people', rootIdentity: homeRoot });
    const data2 = reordered.bindExport({ path: '/mnt/data', name: '/d', rootIdentity: dataRoot });
    assert.equal(home2.id, home.id);
    assert.equal(data2.id, data.id);
    assert.equal(home2.fsid, home.fsid);
    assert.deepEqual(data2.uuid, data.uuid);
    assert.equal(data2.path, '/mnt/data');
    assert.equal(data2.name, '/d');
    assert.equal(reordered.listExports().length, 2);
  });

  it('uses a configured fsid, bigint-exact', () => {
    const e = new ExportRegistry(store).bindExport({
      path: '/srv/data',
      name: '/data',
      rootIdentity: dataRoot,
      fsid: 0xfedc_ba98_7654_3210n,
    });
    assert.equal(restart().byId(e.id)?.fsid, 0xfedc_ba98_7654_3210n);
  });

  it('treats a replaced directory at the same path as a new export and retires the old one', () => {
    const registry = new ExportRegistry(store);
    const old = registry.bindExport({ path: '/srv/data', name: '/data', rootIdentity: dataRoot });
    const replacedRoot = { ...dataRoot, ino: 99n, btime: dataRoot.btime + 5n };
    const fresh = restart().bindExport({ path: '/srv/data', name: '/data', rootIdentity: replacedRoot });
    assert.notEqual(fresh.id, old.id);
    assert.notDeepEqual(fresh.uuid, old.uuid);

    const registry2 = new ExportRegistry(store);
    assert.equal(registry2.uuidOf(old.id), undefined);
    assert.deepEqual(registry2.uuidOf(fresh.id), fresh.uuid);
    assert.deepEqual(
      registry2.listExports().map((e) => [e.id, e.state]),
      [
        [old.id, 'replaced'],
        [fresh.id, 'live'],
      ],
    );
  });

  it('never reuses an export id', () => {
    const registry = new ExportRegistry(store);
    const a = registry.bindExport({ path: '/srv/a', name: '/a', rootIdentity: dataRoot });
    store.db.prepare('DELETE FROM exports WHERE id = ?').run(a.id);
    const b = registry.bindExport({ path: '/srv/b', name: '/b', rootIdentity: homeRoot });
    assert.ok(b.id > a.id);
  });

  it('keeps an export whose filesystem came back with another device number, and moves its catalog objects', async () => {
    const { Catalog } = await import('../../../src/catalog/catalog.js');
    const first = new ExportRegistry(store).bindExport({
      path: '/srv/data',
      name: '/data',
      rootIdentity: dataRoot,
    });
    const catalog = new Catalog(store);
    const root = catalog.root(first.id, dataRoot);
    const file = catalog.recordLink(
      first.id,
      root.id,
      Buffer.from('f'),
      { dev: 2049n, ino: 77n, btime: 5n },
      1,
    );
    await catalog.durable();
    catalog.close();

    const remounted = { ...dataRoot, dev: 4242n };
    const again = restart().bindExport({ path: '/srv/data', name: '/data', rootIdentity: remounted });
    assert.equal(again.id, first.id, 'same export id');
    assert.deepEqual(again.uuid, first.uuid, 'same uuid: its handles still verify');
    assert.equal(again.previousDev, 2049n);
    const after = new Catalog(store);
    assert.equal(after.rebaseDevice(again.id, 2049n, 4242n), 2, 'the root and the file moved');
    assert.equal(after.findByIdentity(again.id, { dev: 4242n, ino: 77n, btime: 5n })?.id, file.id);
    after.close();
  });

  it('does not take a different directory at the same path for the remounted export', () => {
    const first = new ExportRegistry(store).bindExport({
      path: '/srv/data',
      name: '/data',
      rootIdentity: dataRoot,
    });
    const other = { dev: 4242n, ino: dataRoot.ino, btime: dataRoot.btime + 1n };
    const again = restart().bindExport({ path: '/srv/data', name: '/data', rootIdentity: other });
    assert.notEqual(again.id, first.id);
    assert.equal(again.previousDev, undefined);
  });
});
