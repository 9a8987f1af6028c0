import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStateStore, STATE_SCHEMA } from '../../../src/server/state-store.js';
import { StoreRefusedError } from '../../../src/store/errors.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import { checkIntegrityInBackground } from '../../../src/store/integrity-check.js';
import { APPLICATION_ID } from '../../../src/store/migrations.js';
import { DATABASE_FILE, openStore } from '../../../src/store/store.js';

describe('openStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-store-'));
    file = join(dir, 'state', DATABASE_FILE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function assertRefused(reasonPattern: RegExp): void {
    assert.throws(
      () => openStateStore(join(dir, 'state')),
      (err: unknown) =>
        err instanceof StoreRefusedError &&
        err.message.includes(file) &&
        reasonPattern.test(err.reason) &&
        err.file === file,
    );
  }

  it('creates the state directory 0700 and the database file 0600', () => {
    const store = openStateStore(join(dir, 'state'));
    store.close();
    assert.equal(statSync(join(dir, 'state')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('tightens a database file that was made readable by others', () => {
    openStateStore(join(dir, 'state')).close();
    chmodSync(file, 0o644);
    openStateStore(join(dir, 'state')).close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('runs with WAL, synchronous=FULL, foreign keys, its application_id and the latest schema', () => {
    const store = openStateStore(join(dir, 'state'));
    const { db } = store;
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(db.pragma('user_version', { simple: true }), STATE_SCHEMA.latestVersion);
    assert.equal(store.openedAtVersion, 0);
    store.close();
    const again = openStateStore(join(dir, 'state'));
    assert.equal(again.openedAtVersion, STATE_SCHEMA.latestVersion);
    again.close();
  });

  it("refuses another program's SQLite database and leaves it unchanged", () => {
    openStateStore(join(dir, 'state')).close();
    rmSync(file);
    const foreign = new Database(file);
    foreign.exec(
      "CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO photos VALUES (1, 'x')",
    );
    foreign.close();
    const before = readFileSync(file);
    assertRefused(/another program/);
    assert.deepEqual(readFileSync(file), before);
  });

  it('refuses a file that is not SQLite at all and leaves it intact', () => {
    openStateStore(join(dir, 'state')).close();
    rmSync(file);
    const garbage = Buffer.from('this is my diary, not a database\n'.repeat(200));
    writeFileSync(file, garbage, { mode: 0o600 });
    assertRefused(/not a SQLite database/);
    assert.deepEqual(readFileSync(file), garbage);
  });

  it('refuses a damaged nfsgate database whose integrity check fails, and leaves it intact', () => {
    const store = openStateStore(join(dir, 'state'));
    const insert = store.db.prepare('INSERT INTO mounts (client, dirpath) VALUES (?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`client-${i}`, `/export/${i}`.padEnd(80, 'x'));
    })();
    store.close();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    // Scribble over the b-tree pages past the schema page.
    for (let off = pageSize * 3; off < bytes.length; off += pageSize) bytes.fill(0xa5, off, off + 64);
    writeFileSync(file, bytes);
    assertRefused(/damaged/);
    assert.deepEqual(readFileSync(file), bytes);
  });

  describe("with damage in the catalog's tables, which grow with use", () => {
    /** A state database with a few thousand catalog rows whose pages past the tables' roots are scribbled on. */
    function damageCatalogPages(): void {
      const store = openStateStore(join(dir, 'state'));
      const exp = new ExportRegistry(store).bindExport({
        path: '/srv',
        name: '/srv',
        rootIdentity: { dev: 1n, ino: 2n, btime: 3n },
      });
      const insert = store.db.prepare(
        "INSERT INTO objects (export_id, dev, ino, btime, type, generation, state) VALUES (?, '1', ?, '9', 1, 7, 'live')",
      );
      store.db.transaction(() => {
        for (let i = 0; i < 3000; i++) insert.run(exp.id, String(100 + i));
      })();
      const lastRoot = store.db.prepare('SELECT max(rootpage) FROM sqlite_schema').pluck().get() as number;
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      store.close();
      const bytes = readFileSync(file);
      const pageSize = bytes.readUInt16BE(16);
      // Only pages added after every table's root page: the rows of `objects` and of its index.
      for (let off = pageSize * lastRoot; off < bytes.length; off += pageSize)
        bytes.fill(0xa5, off, off + 64);
      writeFileSync(file, bytes);
    }

    it('refuses a small database, whose whole file is checked at open', () => {
      damageCatalogPages();
      assertRefused(/damaged/);
    });

    it('opens a large one without reading them, so start-up does not grow with the catalog', () => {
      damageCatalogPages();
      const store = openStore(join(dir, 'state'), STATE_SCHEMA, { wholeCheckMaxBytes: 0 });
      assert.equal(store.checkedWhole, false, 'its owner is told to check the rest in the background');
      store.close();
    });

    it('reports the damage from the check of the whole file that runs in the background', async () => {
      damageCatalogPages();
      const problems = await checkIntegrityInBackground(file).result;
      assert.ok(problems.length > 0);
    });
  });

  it('finds nothing wrong with a sound database when checking the whole file in the background', async () => {
    const store = openStateStore(join(dir, 'state'));
    assert.equal(store.checkedWhole, true, 'a small one was checked whole at open already');
    store.close();
    assert.deepEqual(await checkIntegrityInBackground(file).result, []);
  });

  it('stops a background check at once when asked (a server shutting down)', async () => {
    openStateStore(join(dir, 'state')).close();
    const check = checkIntegrityInBackground(file);
    check.stop();
    await assert.rejects(check.result, /SIGKILL/);
  });

  it('refuses a database written by a newer build', () => {
    openStateStore(join(dir, 'state')).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${STATE_SCHEMA.latestVersion + 1}`);
    raw.close();
    assertRefused(new RegExp(`schema version ${STATE_SCHEMA.latestVersion + 1} is newer`));
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), STATE_SCHEMA.latestVersion + 1);
    check.close();
  });

  it('lets two connections open the same database (a server and the CLI)', () => {
    const a = openStateStore(join(dir, 'state'));
    const b = openStateStore(join(dir, 'state'));
    a.db.prepare("INSERT INTO mounts (client, dirpath) VALUES ('h', '/e')").run();
    assert.equal((b.db.prepare('SELECT count(*) AS n FROM mounts').get() as { n: number }).n, 1);
    a.close();
    b.close();
  });
});
