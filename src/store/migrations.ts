import type Database from 'better-sqlite3';
import type { MigrationStep } from './migration-step.js';

/** nfsgate's SQLite application_id ('NFSG'): a database without it belongs to someone else. */
export const APPLICATION_ID = 0x4e465347;

export interface LayerSchemaOptions {
  /**
   * Tables that grow with use (a row per object served): the integrity check of a store opening skips
   * them, so start-up time does not grow with them; the server checks the whole file in the background.
   */
  readonly growsWithUse?: readonly string[];
}

/**
 * Every layer's migration steps, registered by the layers that own the tables (store/schema.ts,
 * handles/keyring-schema.ts, catalog/schema.ts) and assembled by version; the store applies them
 * without knowing the layers. Layers register lower first (a table may refer to another layer's
 * table registered before it): within a version, steps run in registration order.
 */
export class MigrationRegistry {
  readonly #steps: MigrationStep[] = [];
  readonly #growing = new Set<string>();
  #assembled: readonly MigrationStep[] | undefined;

  register(steps: readonly MigrationStep[], options: LayerSchemaOptions = {}): this {
    this.#steps.push(...steps);
    for (const table of options.growsWithUse ?? []) this.#growing.add(table);
    this.#assembled = undefined;
    return this;
  }

  /** The steps in the order they run: by version, then by registration. */
  get steps(): readonly MigrationStep[] {
    this.#assembled ??= assemble(this.#steps);
    return this.#assembled;
  }

  get latestVersion(): number {
    return this.steps.reduce((max, s) => Math.max(max, s.version), 0);
  }

  get growingTables(): ReadonlySet<string> {
    return this.#growing;
  }
}

function assemble(steps: readonly MigrationStep[]): readonly MigrationStep[] {
  // Array.prototype.sort is stable, so registration order is kept within a version.
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
 * Brings the schema up to the registry's latest version in one immediate transaction, so a second
 * process opening the same database concurrently waits and then finds nothing left to do.
 * Returns the version the database had before.
 */
export function migrate(db: Database.Database, registry: MigrationRegistry): number {
  const steps = registry.steps;
  const latest = registry.latestVersion;
  return db
    .transaction(() => {
      const from = schemaVersion(db);
      if (from >= latest) return from;
      for (let version = from + 1; version <= latest; version++) {
        for (const step of steps) {
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
