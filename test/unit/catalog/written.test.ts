import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, type CatalogOptions } from '../../../src/catalog/catalog.js';
import { type CatalogObject, FileType } from '../../../src/catalog/types.js';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import type { FileIdentity } from '../../../src/store/identity.js';
import type { ExportId } from '../../../src/store/ids.js';
import { DATABASE_FILE, type Store } from '../../../src/store/store.js';

const ROOT_IDENT: FileIdentity = { dev: 2049n, ino: 2n, btime: 1_000n };
const ident = (ino: bigint): FileIdentity => ({ dev: 2049n, ino, btime: 5_000n + ino });
const tick = () => new Promise((r) => setTimeout(r, 10));

/** WAL syncs that finish (or fail) when the test says so. */
function heldSyncs() {
  const pending: { finish(): void; fail(err: Error): void }[] = [];
  const sync: NonNullable<CatalogOptions['sync']> = {
    now: () => {},
    later: () => new Promise<void>((finish, fail) => pending.push({ finish, fail })),
  };
  return { sync, pending };
}

describe('Catalog.written() (exports with async)', () => {
  let dir: string;
  let store: Store;
  let exportId: ExportId;
  let catalog: Catalog;
  let root: CatalogObject;
  let syncs: ReturnType<typeof heldSyncs>;

  const open = (options: CatalogOptions = {}): void => {
    store = openStateStore(dir);
    exportId = new ExportRegistry(store).bindExport({
      path: '/srv',
      name: '/srv',
      rootIdentity: ROOT_IDENT,
    }).id;
    catalog = new Catalog(store, { sync: syncs.sync, ...options });
    root = catalog.root(exportId, ROOT_IDENT);
  };
  /** What another process would read from the database right now. */
  const committedNames = (): string[] => {
    const reader = new Database(join(dir, DATABASE_FILE), { readonly: true });
    const rows = reader.prepare('SELECT name FROM links ORDER BY name').all() as { name: Buffer }[];
    reader.close();
    return rows.map((r) => r.name.toString());
  };
  const record = (n: string, ino: bigint) =>
    catalog.recordLink(exportId, root.id, Buffer.from(n), ident(ino), FileType.NF3REG);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-catalog-written-'));
    syncs = heldSyncs();
  });
  afterEach(() => {
    for (const s of syncs.pending) s.finish();
    catalog.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits what was recorded, readable by another connection, before the WAL sync is done', async () => {
    open();
    record('a', 10n);
    record('b', 11n);
    await catalog.written();
    assert.deepEqual(committedNames(), ['a', 'b']);
    let durable = false;
    const waiting = catalog.durable().then(() => (durable = true));
    await tick();
    assert.equal(durable, false, 'durable() waits for the sync, which is under way');
    assert.ok(syncs.pending.length >= 1);
    for (const s of syncs.pending) s.finish();
    await waiting;
  });

  it('does not wait for the sync of an earlier batch', async () => {
    open();
    record('first', 10n);
    const first = catalog.durable();
    await tick();
    assert.equal(syncs.pending.length, 1, 'the first batch is being synced');
    record('second', 11n);
    await catalog.written();
    assert.deepEqual(committedNames(), ['first', 'second']);
    syncs.pending[0]!.finish();
    await first;
  });

  it('rejects when the commit fails', async () => {
    open();
    record('a', 10n);
    // Another connection holds the write lock: the commit fails with SQLITE_BUSY after its timeout.
    const other = new Database(join(dir, DATABASE_FILE));
    other.pragma('busy_timeout = 0');
    store.db.pragma('busy_timeout = 0');
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      await assert.rejects(catalog.written(), /locked|busy/i);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    await catalog.written();
    assert.deepEqual(committedNames(), ['a']);
  });

  it('keeps written rows in memory until synced, and writes them again when the sync fails', async () => {
    open({ cacheCapacity: 1 });
    const objects = [record('a', 10n), record('b', 11n), record('c', 12n)];
    await catalog.written();
    const durable = catalog.durable();
    await tick();
    const records = catalog.commitStats.records;
    syncs.pending[0]!.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await assert.rejects(durable, /EIO/);
    await catalog.written();
    assert.ok(catalog.commitStats.records >= records + 3, 'the rows of the failed sync were written again');
    await tick();
    for (const s of syncs.pending.splice(0)) s.finish();
    await catalog.durable();
    for (const o of objects) assert.deepEqual(catalog.get(o.id), o);
  });
});
