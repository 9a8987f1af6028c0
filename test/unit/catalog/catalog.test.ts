import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
const ident = (ino: bigint, btime = 5_000n + ino): FileIdentity => ({ dev: 2049n, ino, btime });
const name = (s: string): Buffer => Buffer.from(s);
const names = (o: CatalogObject | undefined): string[] => (o?.links ?? []).map((l) => l.name.toString());

describe('Catalog', () => {
  let dir: string;
  let store: Store;
  let exportId: ExportId;
  let catalog: Catalog;
  let root: CatalogObject;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-catalog-'));
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
  /** What another process would read from the database right now. */
  const committedObjectCount = (): number => {
    const reader = new Database(join(dir, DATABASE_FILE), { readonly: true });
    const n = (reader.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n;
    reader.close();
    return n;
  };

  it('keeps the export root, with no links, across restarts', () => {
    assert.deepEqual(root.links, []);
    assert.deepEqual(catalog.pathOf(root.id), []);
    restart();
    assert.deepEqual(catalog.root(exportId, ROOT_IDENT), root);
  });

  it('keeps ids, generations and names across a restart, and never reuses an id', async () => {
    const dirObj = catalog.recordLink(exportId, root.id, name('docs'), ident(10n), FileType.NF3DIR);
    const file = catalog.recordLink(exportId, dirObj.id, name('a.txt'), ident(11n), FileType.NF3REG);
    await catalog.durable();
    restart();
    assert.deepEqual(catalog.get(file.id), file);
    assert.deepEqual(catalog.findByIdentity(exportId, ident(11n)), file);
    assert.deepEqual(
      catalog.pathOf(file.id)?.map((l) => l.name.toString()),
      ['docs', 'a.txt'],
    );
    const next = catalog.recordLink(exportId, root.id, name('b'), ident(12n), FileType.NF3REG);
    assert.ok(next.id > file.id);
  });

  it('writes nothing before the batch commits, and everything once durable() resolves', async () => {
    const before = committedObjectCount();
    const file = catalog.recordLink(exportId, root.id, name('new'), ident(20n), FileType.NF3REG);
    assert.equal(catalog.get(file.id), file, 'visible in memory at once');
    assert.equal(committedObjectCount(), before);
    await catalog.durable();
    assert.equal(committedObjectCount(), before + 1);
  });

  it('shares one commit among 32 concurrent recordLink + durable calls', async () => {
    const before = catalog.commitStats;
    const ids = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const o = catalog.recordLink(
          exportId,
          root.id,
          name(`f${i}`),
          ident(100n + BigInt(i)),
          FileType.NF3REG,
        );
        await catalog.durable();
        return o.id;
      }),
    );
    const after = catalog.commitStats;
    assert.equal(new Set(ids).size, 32);
    assert.equal(after.commits - before.commits, 1);
    assert.equal(after.records - before.records, 32);
  });

  it('costs no commit to look up a name it already knows', async () => {
    const o = catalog.recordLink(exportId, root.id, name('same'), ident(30n), FileType.NF3REG);
    await catalog.durable();
    const commits = catalog.commitStats.commits;
    assert.equal(catalog.recordLink(exportId, root.id, name('same'), ident(30n), FileType.NF3REG), o);
    await catalog.durable();
    assert.equal(catalog.commitStats.commits, commits);
  });

  it('finds a hard-linked file by its other name after one name is removed', async () => {
    const a = catalog.recordLink(exportId, root.id, name('a'), ident(40n), FileType.NF3REG);
    const b = catalog.recordLink(exportId, root.id, name('b'), ident(40n), FileType.NF3REG);
    assert.equal(b.id, a.id);
    assert.deepEqual(names(b), ['a', 'b']);
    catalog.removeLink(root.id, name('a'));
    await catalog.durable();
    restart();
    const still = catalog.findByIdentity(exportId, ident(40n));
    assert.equal(still?.id, a.id);
    assert.equal(still?.state, 'live');
    assert.deepEqual(names(still), ['b']);
    assert.deepEqual(
      catalog.pathOf(a.id)?.map((l) => l.name.toString()),
      ['b'],
    );
    catalog.removeLink(root.id, name('b'));
    assert.equal(catalog.get(a.id)?.state, 'gone');
  });

  it('renames a directory by moving its one link; its descendants are not rewritten', async () => {
    const d = catalog.recordLink(exportId, root.id, name('d'), ident(50n), FileType.NF3DIR);
    const f = catalog.recordLink(exportId, d.id, name('f'), ident(51n), FileType.NF3REG);
    await catalog.durable();
    const before = catalog.commitStats.records;
    const moved = catalog.moveLink(root.id, name('d'), root.id, name('e'));
    await catalog.durable();
    assert.equal(catalog.commitStats.records - before, 1);
    assert.equal(moved?.id, d.id);
    restart();
    assert.deepEqual(
      catalog.pathOf(f.id)?.map((l) => l.name.toString()),
      ['e', 'f'],
    );
    assert.equal(catalog.get(f.id)?.links[0]?.parentId, d.id);
  });

  it('marks the object a rename overwrote as gone', () => {
    const src = catalog.recordLink(exportId, root.id, name('src'), ident(60n), FileType.NF3REG);
    const dst = catalog.recordLink(exportId, root.id, name('dst'), ident(61n), FileType.NF3REG);
    catalog.moveLink(root.id, name('src'), root.id, name('dst'));
    assert.equal(catalog.get(dst.id)?.state, 'gone');
    assert.deepEqual(names(catalog.get(src.id)), ['dst']);
  });

  it('marks the old object gone when its inode number comes back with another birth time', async () => {
    const old = catalog.recordLink(exportId, root.id, name('x'), ident(70n, 1n), FileType.NF3REG);
    const reborn = catalog.recordLink(exportId, root.id, name('y'), ident(70n, 2n), FileType.NF3REG);
    assert.notEqual(reborn.id, old.id);
    assert.equal(catalog.get(old.id)?.state, 'gone');
    assert.equal(catalog.findByIdentity(exportId, ident(70n, 1n)), undefined);
    await catalog.durable();
    restart();
    assert.equal(catalog.get(old.id)?.state, 'gone');
    assert.equal(catalog.pathOf(old.id), undefined);
  });

  it('revives an object found again under a name it was not known by (birth time known)', () => {
    const known = catalog.recordLink(exportId, root.id, name('only-known'), ident(85n), FileType.NF3REG);
    catalog.removeLink(root.id, name('only-known'));
    assert.equal(catalog.findByIdentity(exportId, ident(85n)), undefined);
    const found = catalog.recordLink(exportId, root.id, name('other-hard-link'), ident(85n), FileType.NF3REG);
    assert.equal(found.id, known.id);
    assert.equal(found.state, 'live');
  });

  it('does not revive a gone object when birth times are unknown, since the inode may be reused', () => {
    const old = catalog.recordLink(exportId, root.id, name('x'), ident(80n, 0n), FileType.NF3REG);
    catalog.removeLink(root.id, name('x'));
    const again = catalog.recordLink(exportId, root.id, name('x'), ident(80n, 0n), FileType.NF3REG);
    assert.notEqual(again.id, old.id);
  });

  it('hands a name over to the object now found under it', () => {
    const first = catalog.recordLink(exportId, root.id, name('n'), ident(90n), FileType.NF3REG);
    const second = catalog.recordLink(exportId, root.id, name('n'), ident(91n), FileType.NF3REG);
    assert.equal(catalog.get(first.id)?.state, 'gone');
    assert.deepEqual(names(catalog.get(second.id)), ['n']);
  });

  it('gives a directory found under a new name that name only', () => {
    const d = catalog.recordLink(exportId, root.id, name('old'), ident(95n), FileType.NF3DIR);
    const same = catalog.recordLink(exportId, root.id, name('new'), ident(95n), FileType.NF3DIR);
    assert.equal(same.id, d.id);
    assert.deepEqual(names(same), ['new']);
  });

  it('relinks an object found elsewhere and marks objects gone on request', () => {
    const sub = catalog.recordLink(exportId, root.id, name('sub'), ident(96n), FileType.NF3DIR);
    const f = catalog.recordLink(exportId, root.id, name('f'), ident(97n), FileType.NF3REG);
    const relinked = catalog.relink(f.id, sub.id, name('g'));
    assert.deepEqual(
      catalog.pathOf(relinked.id)?.map((l) => l.name.toString()),
      ['sub', 'g'],
    );
    catalog.markGone(sub.id);
    assert.equal(catalog.pathOf(f.id), undefined, 'a gone parent breaks the chain');
  });

  it('with a cache of two objects, keeps every change until it is committed and reads the rest back', async () => {
    catalog.close();
    catalog = new Catalog(store, { cacheCapacity: 2 });
    const dirObj = catalog.recordLink(exportId, root.id, name('many'), ident(200n), FileType.NF3DIR);
    const files = Array.from({ length: 20 }, (_, i) =>
      catalog.recordLink(exportId, dirObj.id, name(`f${i}`), ident(201n + BigInt(i)), FileType.NF3REG),
    );
    for (const f of files) assert.deepEqual(catalog.get(f.id), f, 'pending changes are never evicted');
    await catalog.durable();
    for (const f of files) assert.deepEqual(catalog.get(f.id), f, 'committed ones are read back');
    assert.deepEqual(
      catalog.pathOf(files[7]!.id)?.map((l) => l.name.toString()),
      ['many', 'f7'],
    );
    assert.equal(catalog.size, Number(files[19]!.id));
  });

  it('refuses a parent that is not an object of the export (a caller bug)', () => {
    assert.throws(() => catalog.recordLink(exportId, (root.id + 999n) as never, name('z'), ident(99n), 1));
  });

  describe('Catalog when a WAL sync fails', () => {
    it('refuses durability for that batch, writes its rows again and waits for a sync that succeeds', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nfsgate-catalog-sync-'));
      try {
        const store = openStateStore(dir);
        const exportId = new ExportRegistry(store).bindExport({
          path: '/srv',
          name: '/srv',
          rootIdentity: ROOT_IDENT,
        }).id;
        let failures = 1;
        let syncs = 0;
        const catalog = new Catalog(store, {
          sync: {
            now: () => {},
            later: async () => {
              syncs++;
              if (failures-- > 0) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
            },
          },
        });
        const root = catalog.root(exportId, ROOT_IDENT);
        const a = catalog.recordLink(exportId, root.id, name('a'), ident(10n), FileType.NF3REG);
        await assert.rejects(catalog.durable(), /EIO/);
        const written = catalog.commitStats.records;
        await catalog.durable();
        assert.equal(syncs, 2);
        assert.ok(catalog.commitStats.records > written, 'the rows of the failed batch were written again');
        const other = new Catalog(openStateStore(dir));
        assert.deepEqual(names(other.get(a.id)), ['a']);
        catalog.close();
        other.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
