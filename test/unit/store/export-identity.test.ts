import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import type { Store } from '../../../src/store/store.js';

describe('ExportRegistry: the identity an export uses', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-export-identity-'));
    store = openStateStore(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records which identity an export uses and lists it', () => {
    const registry = new ExportRegistry(store);
    const bound = registry.bindExport({
      path: '/srv/a',
      name: '/a',
      rootIdentity: { dev: 7n, ino: 2n, btime: 123n },
      identity: 'file-handle',
    });
    assert.equal(bound.identity, 'file-handle');
    assert.equal(new ExportRegistry(store).listExports()[0]?.identity, 'file-handle');
  });

  it('keeps a row bound before identities were recorded when its root now identifies by file handle', () => {
    const registry = new ExportRegistry(store);
    const legacy = registry.bindExport({
      path: '/srv/b',
      name: '/b',
      rootIdentity: { dev: 7n, ino: 2n, btime: 0n },
    });
    assert.equal(legacy.identity, undefined);
    const upgraded = registry.bindExport({
      path: '/srv/b',
      name: '/b',
      rootIdentity: { dev: 7n, ino: 2n, btime: 99n },
      identity: 'file-handle',
    });
    assert.equal(upgraded.id, legacy.id);
    assert.deepEqual(upgraded.uuid, legacy.uuid);
    assert.equal(upgraded.rootIdentity.btime, 99n);
    assert.equal(upgraded.identity, 'file-handle');
  });

  it('sees another directory, not the same one, when a recorded root comes back with another generation', () => {
    const registry = new ExportRegistry(store);
    const first = registry.bindExport({
      path: '/srv/c',
      name: '/c',
      rootIdentity: { dev: 7n, ino: 2n, btime: 5n },
      identity: 'file-handle',
    });
    const other = registry.bindExport({
      path: '/srv/c',
      name: '/c',
      rootIdentity: { dev: 7n, ino: 2n, btime: 6n },
      identity: 'file-handle',
    });
    assert.notEqual(other.id, first.id);
    assert.equal(registry.listExports().find((e) => e.id === first.id)?.state, 'replaced');
  });

  it('adds the identity column to an older database without touching its rows', () => {
    const registry = new ExportRegistry(store);
    registry.bindExport({ path: '/srv/d', name: '/d', rootIdentity: { dev: 7n, ino: 9n, btime: 1n } });
    const columns = store.db.prepare('PRAGMA table_info(exports)').all() as { name: string }[];
    assert.ok(columns.some((c) => c.name === 'identity'));
  });
});
