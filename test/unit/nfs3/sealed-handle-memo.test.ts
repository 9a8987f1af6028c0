import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Catalog } from '../../../src/catalog/catalog.js';
import { exportFromCommandLine } from '../../../src/config/index.js';
import { Keyring } from '../../../src/handles/keyring.js';
import { HandleSealer } from '../../../src/handles/sealer.js';
import type { ExportRuntime } from '../../../src/nfs3/export-runtime.js';
import { Objects } from '../../../src/nfs3/objects.js';
import { openExport } from '../../../src/server/export-runtime.js';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import type { Store } from '../../../src/store/store.js';
import { NodeCache } from '../../../src/vfs/node-cache.js';

describe('handles reused for objects seen again', () => {
  let dir: string;
  let store: Store;
  let catalog: Catalog;
  let nodes: NodeCache;
  let keyring: Keyring;
  let sealer: HandleSealer;
  let objects: Objects;
  let exp: ExportRuntime;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-memo-'));
    mkdirSync(join(dir, 'export'));
    store = openStateStore(join(dir, 'state'));
    keyring = Keyring.open(store);
    catalog = new Catalog(store);
    const config = exportFromCommandLine({ dir: join(dir, 'export') });
    assert.ok(config.ok);
    exp = await openExport(config.value.exports[0]!, new ExportRegistry(store), catalog, {
      privileged: true,
    });
    sealer = new HandleSealer(keyring, (id) => (id === exp.id ? exp.uuid : undefined));
    nodes = new NodeCache();
    objects = new Objects({
      sealer,
      catalog,
      nodes,
      exports: new Map([[exp.id, exp]]),
      activeKey: () => keyring.active(),
    });
  });

  after(async () => {
    nodes?.close();
    catalog?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are sealed again when the active key changes, even to a recycled key id', async () => {
    const root = catalog.get(exp.rootId)!;
    const first = objects.handleFor(exp, root);
    assert.equal(first[1], 1);
    assert.equal(objects.handleFor(exp, root), first, 'reused while key 1 is active');
    // Use up every key id, retire key 1, and rotate once more: the new active key gets id 1 again.
    for (let i = 2; i <= 255; i++) keyring.rotate();
    keyring.retire(1);
    const recycled = keyring.rotate();
    assert.equal(recycled.id, 1);
    const again = objects.handleFor(exp, root);
    assert.equal(again[1], 1);
    assert.notDeepEqual(again, first, 'not the handle sealed with the retired key 1');
    const opened = sealer.open(again);
    assert.ok(opened.ok, `the handle handed out verifies (${opened.ok ? '' : opened.reason})`);
    assert.equal(sealer.open(first).ok, false, 'the old one is refused');
  });
});
