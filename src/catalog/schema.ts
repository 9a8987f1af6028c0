import type { MigrationStep } from '../store/migration-step.js';
import type { MigrationRegistry } from '../store/migrations.js';

/**
 * The catalog's tables. dev, ino and btime are unsigned 64-bit values kept as decimal TEXT so that no
 * value is ever rounded or sign-flipped on the way through SQLite's signed integers.
 */
export const CATALOG_SCHEMA: readonly MigrationStep[] = [
  {
    version: 1,
    owner: 'catalog',
    up: `
      CREATE TABLE objects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        export_id INTEGER NOT NULL REFERENCES exports (id),
        dev TEXT NOT NULL,
        ino TEXT NOT NULL,
        btime TEXT NOT NULL,
        type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 7),
        generation INTEGER NOT NULL CHECK (generation BETWEEN 0 AND 4294967295),
        state TEXT NOT NULL CHECK (state IN ('live', 'gone'))
      );
      CREATE INDEX objects_by_identity ON objects (export_id, dev, ino);
      CREATE TABLE links (
        object_id INTEGER NOT NULL REFERENCES objects (id),
        parent_id INTEGER NOT NULL REFERENCES objects (id),
        name BLOB NOT NULL,
        PRIMARY KEY (parent_id, name)
      ) WITHOUT ROWID;
      CREATE TABLE export_roots (
        export_id INTEGER PRIMARY KEY REFERENCES exports (id),
        object_id INTEGER NOT NULL UNIQUE REFERENCES objects (id)
      );
    `,
  },
  {
    // Loading an object's names after a restart looks links up by object, not by (parent, name).
    version: 2,
    owner: 'catalog',
    up: 'CREATE INDEX links_by_object ON links (object_id);',
  },
  {
    // The kernel's own handle of an object (name_to_handle_at), where the filesystem has one: a hint that
    // finds an object moved behind the server's back without searching for it.
    version: 3,
    owner: 'catalog',
    up: `
      CREATE TABLE kernel_handles (
        object_id INTEGER PRIMARY KEY REFERENCES objects (id),
        handle BLOB NOT NULL
      );
    `,
  },
  {
    // An object that lost its last known name but still has names the catalog never saw (hard links made
    // on the host) stays live; the directory of the removed name is where a search for it starts.
    version: 4,
    owner: 'catalog',
    up: 'ALTER TABLE objects ADD COLUMN last_dir INTEGER REFERENCES objects (id);',
  },
];

/** The catalog's tables hold a row (or two) per object served: they grow with use. */
export function registerCatalogSchema(registry: MigrationRegistry): void {
  registry.register(CATALOG_SCHEMA, { growsWithUse: ['objects', 'links', 'kernel_handles'] });
}
