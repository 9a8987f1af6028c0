import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StoreRefusedError } from '../../../src/store/errors.js';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION } from '../../../src/store/migrations.js';
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
      () => openStore(join(dir, 'state')),
      (err: unknown) =>
        err instanceof StoreRefusedError &&
        err.message.includes(file) &&
        reasonPattern.test(err.reason) &&
        err.file === file,
    );
  }

  it('creates the state directory 0700 and the database file 0600', () => {
    const store = openStore(join(dir, 'state'));
    store.close();
    assert.equal(statSync(join(dir, 'state')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('tightens a database file that was made readable by others', () => {
    openStore(join(dir, 'state')).close();
    chmodSync(file, 0o644);
    openStore(join(dir, 'state')).close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('runs with WAL, synchronous=FULL, foreign keys, its application_id and the latest schema', () => {
    const store = openStore(join(dir, 'state'));
    const { db } = store;
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(db.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
    assert.equal(store.openedAtVersion, 0);
    store.close();
    const again = openStore(join(dir, 'state'));
    assert.equal(again.openedAtVersion, LATEST_SCHEMA_VERSION);
    again.close();
  });

  it("refuses another program's SQLite database and leaves it unchanged", () => {
    openStore(join(dir, 'state')).close();
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
    openStore(join(dir, 'state')).close();
    rmSync(file);
    const garbage = Buffer.from('this is my diary, not a database\n'.repeat(200));
    writeFileSync(file, garbage, { mode: 0o600 });
    assertRefused(/not a SQLite database/);
    assert.deepEqual(readFileSync(file), garbage);
  });

  it('refuses a damaged nfsgate database whose integrity check fails, and leaves it intact', () => {
    const store = openStore(join(dir, 'state'));
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

  it('refuses a database written by a newer build', () => {
    openStore(join(dir, 'state')).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    assertRefused(new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1} is newer`));
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION + 1);
    check.close();
  });

  it('lets two connections open the same database (a server and the CLI)', () => {
    const a = openStore(join(dir, 'state'));
    const b = openStore(join(dir, 'state'));
    a.db.prepare("INSERT INTO mounts (client, dirpath) VALUES ('h', '/e')").run();
    assert.equal((b.db.prepare('SELECT count(*) AS n FROM mounts').get() as { n: number }).n, 1);
    a.close();
    b.close();
  });
});
