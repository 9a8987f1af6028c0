import type { MigrationStep } from './migration-step.js';
import type { MigrationRegistry } from './migrations.js';

/** Tables owned by the store itself: server state, the exports registry and the MOUNT list. */
export const STORE_SCHEMA: readonly MigrationStep[] = [
  {
    version: 1,
    owner: 'store',
    up: `
      CREATE TABLE server_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        boot_count INTEGER NOT NULL,
        last_boot_at INTEGER NOT NULL
      );
      CREATE TABLE exports (
        id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id BETWEEN 1 AND 65535),
        uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        fsid TEXT NOT NULL,
        root_dev TEXT NOT NULL,
        root_ino TEXT NOT NULL,
        root_btime TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'replaced')),
        created_at INTEGER NOT NULL
      );
      CREATE TABLE mounts (
        client TEXT NOT NULL,
        dirpath TEXT NOT NULL,
        PRIMARY KEY (client, dirpath)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    owner: 'store',
    up: 'ALTER TABLE mounts ADD COLUMN mounted_at INTEGER NOT NULL DEFAULT 0;',
  },
  {
    // Which identity the export's objects get where the filesystem has no birth time (vfs/reuse-tag.ts);
    // NULL for rows bound before it was recorded.
    version: 4,
    owner: 'store',
    up: "ALTER TABLE exports ADD COLUMN identity TEXT CHECK (identity IN ('birth-time', 'file-handle', 'inode-number'));",
  },
];

export function registerStoreSchema(registry: MigrationRegistry): void {
  registry.register(STORE_SCHEMA);
}
