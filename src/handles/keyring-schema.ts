import type { MigrationStep } from '../store/migration-step.js';
import type { MigrationRegistry } from '../store/migrations.js';

/** The keyring's table. The partial unique index makes a second active key impossible. */
export const KEYRING_SCHEMA: readonly MigrationStep[] = [
  {
    version: 1,
    owner: 'handles',
    up: `
      CREATE TABLE keys (
        id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
        secret BLOB NOT NULL CHECK (length(secret) = 32),
        state TEXT NOT NULL CHECK (state IN ('active', 'verify', 'retired')),
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX keys_single_active ON keys (state) WHERE state = 'active';
    `,
  },
];

export function registerKeyringSchema(registry: MigrationRegistry): void {
  registry.register(KEYRING_SCHEMA);
}
