import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../src/catalog/catalog.js';
import { Keyring } from '../../../src/handles/keyring.js';
import { openStateStore, STATE_SCHEMA } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import { asObjectId } from '../../../src/store/ids.js';
import { MigrationRegistry } from '../../../src/store/migrations.js';
import { MountList } from '../../../src/store/mounts.js';
import { registerStoreSchema } from '../../../src/store/schema.js';
import { DATABASE_FILE, openStore } from '../../../src/store/store.js';
import { repoRoot } from '../../helpers/repo.js';

/** The schema exactly as the first release left it on disk; frozen here on purpose. */
const VERSION_1_SCHEMA = `
  CREATE TABLE server_state (id INTEGER PRIMARY KEY CHECK (id = 1), boot_count INTEGER NOT NULL,
    last_boot_at INTEGER NOT NULL);
  CREATE TABLE exports (id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id BETWEEN 1 AND 65535),
    uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16), path TEXT NOT NULL, name TEXT NOT NULL,
    fsid TEXT NOT NULL, root_dev TEXT NOT NULL, root_ino TEXT NOT NULL, root_btime TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}', state TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'replaced')),
    created_at INTEGER NOT NULL);
  CREATE TABLE mounts (client TEXT NOT NULL, dirpath TEXT NOT NULL, PRIMARY KEY (client, dirpath)) WITHOUT ROWID;
  CREATE TABLE keys (id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
    secret BLOB NOT NULL CHECK (length(secret) = 32),
    state TEXT NOT NULL CHECK (state IN ('active', 'verify', 'retired')), created_at INTEGER NOT NULL);
  CREATE UNIQUE INDEX keys_single_active ON keys (state) WHERE state = 'active';
  CREATE TABLE objects (id INTEGER PRIMARY KEY AUTOINCREMENT, export_id INTEGER NOT NULL REFERENCES exports (id),
    dev TEXT NOT NULL, ino TEXT NOT NULL, btime TEXT NOT NULL, type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 7),
    generation INTEGER NOT NULL CHECK (generation BETWEEN 0 AND 4294967295),
    state TEXT NOT NULL CHECK (state IN ('live', 'gone')));
  CREATE INDEX objects_by_identity ON objects (export_id, dev, ino);
  CREATE TABLE links (object_id INTEGER NOT NULL REFERENCES objects (id),
    parent_id INTEGER NOT NULL REFERENCES objects (id), name BLOB NOT NULL,
    PRIMARY KEY (parent_id, name)) WITHOUT ROWID;
  CREATE TABLE export_roots (export_id INTEGER PRIMARY KEY REFERENCES exports (id),
    object_id INTEGER NOT NULL UNIQUE REFERENCES objects (id));
`;

const SECRET = Buffer.alloc(32, 7);
const UUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function writeVersion1Database(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(VERSION_1_SCHEMA);
  db.prepare(
    `INSERT INTO exports (uuid, path, name, fsid, root_dev, root_ino, root_btime, created_at)
     VALUES (?, '/srv/data', '/data', '18446744073709551615', '2049', '2', '1700000000123456789', 1700000000)`,
  ).run(UUID);
  db.prepare("INSERT INTO keys VALUES (1, ?, 'active', 1700000000)").run(SECRET);
  db.exec(`
    INSERT INTO server_state VALUES (1, 41, 1700000000);
    INSERT INTO mounts VALUES ('10.0.0.7', '/data');
    INSERT INTO objects VALUES (1, 1, '2049', '2', '1700000000123456789', 2, 11, 'live');
    INSERT INTO objects VALUES (2, 1, '2049', '12', '1700000000999', 1, 22, 'live');
    INSERT INTO export_roots VALUES (1, 1);
    INSERT INTO links VALUES (2, 1, CAST('notes.txt' AS BLOB));
  `);
  db.pragma('application_id = 1313231687');
  db.pragma('user_version = 1');
  db.close();
}

describe('schema migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsgate-migrate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are assembled in version order with more than one version, so upgrades are exercised', () => {
    const versions = STATE_SCHEMA.steps.map((s) => s.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
    );
    assert.ok(STATE_SCHEMA.latestVersion >= 2);
    assert.deepEqual(
      STATE_SCHEMA.steps.filter((s) => s.version === 1).map((s) => s.owner),
      ['store', 'handles', 'catalog'],
    );
  });

  it('run in the order databases on disk were made with: by version, then store, keyring, catalog', () => {
    assert.deepEqual(
      STATE_SCHEMA.steps.map((s) => `${s.version}:${s.owner}`),
      ['1:store', '1:handles', '1:catalog', '2:store', '2:catalog', '3:catalog', '4:store', '4:catalog'],
    );
  });

  it('come from the layers that own the tables: the store imports none of the layers above it', () => {
    const storeDir = join(repoRoot(), 'src', 'store');
    for (const file of readdirSync(storeDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(storeDir, file), 'utf8');
      assert.doesNotMatch(text, /from '\.\.\/(catalog|handles|nfs3|vfs|server|mount)\//, `src/store/${file}`);
    }
  });

  it('apply whatever steps a layer registers, so the store needs to know no layer', () => {
    const registry = new MigrationRegistry();
    registerStoreSchema(registry);
    registry.register([
      { version: 1, owner: 'notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);' },
      { version: 3, owner: 'notes', up: 'CREATE INDEX notes_by_text ON notes (text);' },
    ]);
    const stateDir = join(dir, 'layered');
    const store = openStore(stateDir, registry);
    store.db.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
    assert.equal(store.db.pragma('user_version', { simple: true }), registry.latestVersion);
    store.close();
  });

  it('refuse a registry with a version no layer registered a step for', () => {
    const registry = new MigrationRegistry().register([
      { version: 1, owner: 'a', up: 'CREATE TABLE a (id INTEGER);' },
      { version: 3, owner: 'a', up: 'CREATE TABLE b (id INTEGER);' },
    ]);
    assert.throws(() => registry.steps, /2 is missing/);
  });

  it('bring a version-1 database forward with every row intact', () => {
    const stateDir = join(dir, 'v1');
    mkdirSync(stateDir, { mode: 0o700 });
    writeVersion1Database(join(stateDir, DATABASE_FILE));

    const store = openStateStore(stateDir);
    assert.equal(store.openedAtVersion, 1);
    assert.equal(store.db.pragma('user_version', { simple: true }), STATE_SCHEMA.latestVersion);
    const indexes = store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").all() as {
      name: string;
    }[];
    assert.ok(indexes.some((i) => i.name === 'links_by_object'));
    const mountColumns = store.db.prepare('PRAGMA table_info(mounts)').all() as { name: string }[];
    assert.ok(mountColumns.some((c) => c.name === 'mounted_at'));

    const [exp] = new ExportRegistry(store).listExports();
    assert.equal(exp?.id, 1);
    assert.deepEqual(exp?.uuid, UUID);
    assert.equal(exp?.fsid, 0xffff_ffff_ffff_ffffn);
    assert.equal(exp?.rootIdentity.btime, 1700000000123456789n);

    const keyring = Keyring.open(store);
    assert.equal(keyring.active().id, 1);
    assert.deepEqual(keyring.active().secret, SECRET);

    assert.deepEqual(new MountList(store).listMounts(), [{ client: '10.0.0.7', dirpath: '/data' }]);

    const catalog = new Catalog(store);
    const file = catalog.get(asObjectId(2n));
    assert.equal(file?.generation, 22);
    assert.equal(file?.links[0]?.name.toString(), 'notes.txt');
    assert.deepEqual(catalog.pathOf(asObjectId(2n)), file?.links);
    assert.equal(catalog.rootId(exp!.id), 1n);
    catalog.close();
    store.close();
  });
});
