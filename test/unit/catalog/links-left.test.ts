import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../src/catalog/catalog.js';
import { type CatalogObject, FileType } from '../../../src/catalog/types.js';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import type { FileIdentity } from '../../../src/store/identity.js';
import type { ExportId } from '../../../src/store/ids.js';
import { DATABASE_FILE, type Store } from '../../../src/store/store.js';

const ROOT_IDENT: FileIdentity = { dev: 2049n, ino: 2n, btime: 1_000n };
const ident = (ino: bigint): FileIdentity => ({ dev: 2049n, ino, btime: 5_000n + ino });
const name = (s: string): Buffer => Buffer.from(s);

describe('Catalog: objects with names the filesystem still has', () => {
  let dir: string;
  let store: Store;
  let exportId: ExportId;
  let catalog: Catalog;
  let root: CatalogObject;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-links-left-'));
    store = openStateStore(dir);
    exportId = new ExportRegistry(store).bindExport({
      path: '/srv',
      name: '/srv',
      rootIdentity: ROOT_IDENT,
    }).id;
    catalog = new Catalog(store);
    root = catalog.root(exportId, ROOT_IDENT);
  });
  afterEach(() => {
    catalog.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const restart = (): void => {
    catalog.close();
    store.close();
    store = openStateStore(dir);
    catalog = new Catalog(store);
  };

  it('keeps an object live, with the directory of its removed name, when it has names the catalog never saw', async () => {
    const d = catalog.recordLink(exportId, root.id, name('d'), ident(10n), FileType.NF3DIR);
    const f = catalog.recordLink(exportId, d.id, name('a'), ident(11n), FileType.NF3REG);
    const after = catalog.removeLink(d.id, name('a'), 1n);
    assert.equal(after?.state, 'live');
    assert.deepEqual(after?.links, []);
    assert.equal(after?.lastDir, d.id);
    await catalog.durable();
    restart();
    const reloaded = catalog.get(f.id);
    assert.equal(reloaded?.state, 'live');
    assert.equal(reloaded?.lastDir, d.id);
    assert.equal(catalog.findByIdentity(exportId, ident(11n))?.id, f.id);
    const again = catalog.recordLink(exportId, root.id, name('b'), ident(11n), FileType.NF3REG);
    assert.equal(again.id, f.id);
  });

  it('gives a row recorded without a birth time the stronger identity it is found with under its own name', async () => {
    const before: FileIdentity = { dev: 2049n, ino: 42n, btime: 0n };
    const now: FileIdentity = { dev: 2049n, ino: 42n, btime: 0x1234_5678n };
    const old = catalog.recordLink(exportId, root.id, name('kept'), before, FileType.NF3REG);
    await catalog.durable();
    restart();
    // LOOKUP of the same name after an upgrade: the same object, not a reused inode.
    const found = catalog.recordLink(exportId, root.id, name('kept'), now, FileType.NF3REG);
    assert.equal(found.id, old.id);
    assert.equal(found.state, 'live');
    assert.equal(found.ident.btime, now.btime);
    await catalog.durable();
    restart();
    assert.equal(catalog.get(old.id)?.ident.btime, now.btime, 'stored');
    // Once it has one, a different identity at that inode is another object.
    const other = catalog.recordLink(exportId, root.id, name('kept'), { ...now, btime: 7n }, FileType.NF3REG);
    assert.notEqual(other.id, old.id);
    assert.equal(catalog.get(old.id)?.state, 'gone');
  });

  it('never strengthens a row of another inode, or one that already has a birth time', () => {
    const a = catalog.recordLink(
      exportId,
      root.id,
      name('a'),
      { dev: 2049n, ino: 50n, btime: 0n },
      FileType.NF3REG,
    );
    assert.equal(catalog.strengthenIdentity(a.id, { dev: 2049n, ino: 51n, btime: 9n }).ident.btime, 0n);
    const b = catalog.recordLink(exportId, root.id, name('b'), ident(60n), FileType.NF3REG);
    assert.equal(
      catalog.strengthenIdentity(b.id, { ...ident(60n), btime: 9n }).ident.btime,
      ident(60n).btime,
    );
  });

  it('marks an object with no links left gone, even when the catalog still lists other names of it', () => {
    const f = catalog.recordLink(exportId, root.id, name('x'), ident(20n), FileType.NF3REG);
    catalog.recordLink(exportId, root.id, name('y'), ident(20n), FileType.NF3REG);
    assert.equal(catalog.removeLink(root.id, name('x'), 0n)?.state, 'gone');
    assert.deepEqual(catalog.get(f.id)?.links, []);
  });

  it('keeps the object a RENAME replaced when it has other names, and drops it when it had none', () => {
    const kept = catalog.recordLink(exportId, root.id, name('kept'), ident(30n), FileType.NF3REG);
    const src = catalog.recordLink(exportId, root.id, name('src'), ident(31n), FileType.NF3REG);
    catalog.moveLink(root.id, name('src'), root.id, name('kept'), 1n);
    assert.equal(catalog.get(kept.id)?.state, 'live');
    assert.equal(catalog.get(kept.id)?.lastDir, root.id);
    const other = catalog.recordLink(exportId, root.id, name('other'), ident(32n), FileType.NF3REG);
    catalog.moveLink(root.id, name('kept'), root.id, name('other'), 0n);
    assert.equal(catalog.get(other.id)?.state, 'gone');
    assert.equal(catalog.get(src.id)?.links[0]?.name.toString(), 'other');
  });
});

describe('schema step 4 (objects.last_dir, exports.identity)', () => {
  it('upgrades a version-3 catalog with its rows intact and no last directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfsgate-v3-'));
    try {
      const state = join(dir, 'state');
      mkdirSync(state, { mode: 0o700 });
      {
        const store = openStateStore(state);
        const exportId = new ExportRegistry(store).bindExport({
          path: '/srv',
          name: '/srv',
          rootIdentity: ROOT_IDENT,
        }).id;
        const catalog = new Catalog(store);
        const r = catalog.root(exportId, ROOT_IDENT);
        catalog.recordLink(exportId, r.id, name('old'), ident(40n), FileType.NF3REG);
        catalog.close();
        store.close();
      }
      // Back to the version-3 shape: the column did not exist.
      const db = new Database(join(state, DATABASE_FILE));
      db.exec('ALTER TABLE objects DROP COLUMN last_dir');
      db.exec('ALTER TABLE exports DROP COLUMN identity');
      db.pragma('user_version = 3');
      db.close();

      const store = openStateStore(state);
      assert.equal(store.openedAtVersion, 3);
      const columns = store.db.prepare('PRAGMA table_info(objects)').all() as { name: string }[];
      assert.ok(columns.some((c) => c.name === 'last_dir'));
      const [exp] = new ExportRegistry(store).listExports();
      assert.equal(exp?.identity, undefined, 'recorded at the next start, not guessed');
      const catalog = new Catalog(store);
      const old = catalog.findByIdentity(1 as ExportId, ident(40n));
      assert.equal(old?.links[0]?.name.toString(), 'old');
      assert.equal(old?.lastDir, undefined);
      catalog.close();
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
