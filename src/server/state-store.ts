import { registerCatalogSchema } from '../catalog/schema.js';
import { registerKeyringSchema } from '../handles/keyring-schema.js';
import { MigrationRegistry } from '../store/migrations.js';
import { registerStoreSchema } from '../store/schema.js';
import { openStore, type Store } from '../store/store.js';

/**
 * The state database's schema: each layer registers the tables it owns, lower layers first (the order
 * of steps within a schema version, which databases on disk were created with).
 */
export const STATE_SCHEMA: MigrationRegistry = new MigrationRegistry();
registerStoreSchema(STATE_SCHEMA);
registerKeyringSchema(STATE_SCHEMA);
registerCatalogSchema(STATE_SCHEMA);

/** Opens the state folder's database with every layer's tables (see openStore). */
export function openStateStore(stateDir: string): Store {
  return openStore(stateDir, STATE_SCHEMA);
}
