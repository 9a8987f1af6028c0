import type Database from 'better-sqlite3';
import { CATALOG_SCHEMA } from '../catalog/schema.js';
import { KEYRING_SCHEMA } from '../handles/keyring-schema.js';
import type { MigrationStep } from './migration-step.js';
import { STORE_SCHEMA } from './schema.js';

/** nfsgate's SQLite application_id ('NFSG'): a database without it belongs to someone else. */
export const APPLICATION_ID = 0x4e465347;

/** Module order within a version is fixed: tables referenced by others are created first. */
const OWNERS_IN_ORDER: readonly (readonly MigrationStep[])[] = [STORE_SCHEMA, KEYRING_SCHEMA, CATALOG_SCHEMA];

export const MIGRATION_STEPS: readonly MigrationStep[] = assemble(OWNERS_IN_ORDER);

export const LATEST_SCHEMA_VERSION: number = MIGRATION_STEPS.reduce((max, s) => Math.max(max, s.version), 0);

function assemble(owners: readonly (readonly MigrationStep[])[]): readonly MigrationStep[] {
  const steps = owners.flat();
  // Array.prototype.sort is stable, so module order is kept within a version.
  const sorted = [...steps].sort((a, b) => a.version - b.version);
  const versions = new Set(sorted.map((s) => s.version));
  for (let v = 1; v <= versions.size; v++) {
    if (!versions.has(v)) throw new Error(`schema versions must be contiguous from 1; ${v} is missing`);
  }
  return sorted;
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to LATEST_SCHEMA_VERSION in one immediate transaction, so a second process
 * opening the same database concurrently waits and then finds nothing left to do.
 * Returns the version the database had before.
 */
export function migrate(db: Database.Database): number {
  return db
    .transaction(() => {
      const from = schemaVersion(db);
      if (from >= LATEST_SCHEMA_VERSION) return from;
      for (let version = from + 1; version <= LATEST_SCHEMA_VERSION; version++) {
        for (const step of MIGRATION_STEPS) {
          if (step.version !== version) continue;
          if (typeof step.up === 'string') db.exec(step.up);
          else step.up(db);
        }
        db.pragma(`user_version = ${version}`);
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
      return from;
    })
    .immediate();
}
