import type Database from 'better-sqlite3';

/**
 * One module's contribution to one schema version. Every table is owned by exactly one module; a
 * version's steps run in a fixed module order inside the same transaction as the user_version bump.
 */
export interface MigrationStep {
  readonly version: number;
  readonly owner: string;
  readonly up: string | ((db: Database.Database) => void);
}
