import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreRefusedError } from './errors.js';
import { APPLICATION_ID, type MigrationRegistry, migrate, schemaVersion } from './migrations.js';

export const DATABASE_FILE = 'nfsgate.db';
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const BUSY_TIMEOUT_MS = 5000;
/**
 * Up to this size (database and WAL) opening checks the whole file, which takes about 0.1 s at most;
 * a larger one (some 100,000 catalog objects and more) has the tables that grow with use left out.
 */
export const WHOLE_CHECK_MAX_BYTES = 16 * 2 ** 20;

export interface Store {
  readonly db: Database.Database;
  readonly file: string;
  /** The schema version found on disk before this open migrated it (0 for a new database). */
  readonly openedAtVersion: number;
  /** Whether opening checked the whole file; if not, its owner runs checkIntegrityInBackground. */
  readonly checkedWhole: boolean;
  close(): void;
}

export interface OpenStoreOptions {
  /** See WHOLE_CHECK_MAX_BYTES. */
  readonly wholeCheckMaxBytes?: number;
}

/**
 * Opens (creating if needed) the state database in stateDir, with the tables every layer registered in
 * `schema`. A file that is not nfsgate's, is damaged, or was written by a newer build is refused with
 * StoreRefusedError and never modified. In a large file, damage is looked for in every table except
 * those that grow with use (see LayerSchemaOptions, and `checkedWhole`), so start-up time does not
 * grow with them.
 */
export function openStore(
  stateDir: string,
  schema: MigrationRegistry,
  options: OpenStoreOptions = {},
): Store {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, DATABASE_FILE);
  const isNew = ensurePrivateFile(file);
  if (!isNew) checkSqliteHeader(file);

  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new StoreRefusedError(file, `cannot open: ${messageOf(err)}`);
  }
  try {
    const checkedWhole = bytesOnDisk(file) <= (options.wholeCheckMaxBytes ?? WHOLE_CHECK_MAX_BYTES);
    vetContents(db, file, schema, checkedWhole);
    configure(db, file);
    const openedAtVersion = migrate(db, schema);
    return { db, file, openedAtVersion, checkedWhole, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Creates the file 0600 if missing (SQLite gives -wal and -shm the same mode). Returns true if empty. */
function ensurePrivateFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new StoreRefusedError(file, `cannot open: ${messageOf(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StoreRefusedError(file, 'not a regular file');
    if ((st.mode & 0o777) !== 0o600) chmodSync(file, 0o600);
    return st.size === 0;
  } finally {
    closeSync(fd);
  }
}

function checkSqliteHeader(file: string): void {
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, header, 0, header.length, 0);
    if (n < header.length || !header.equals(SQLITE_MAGIC)) {
      throw new StoreRefusedError(file, 'not a SQLite database (bad header); it was left untouched');
    }
  } finally {
    closeSync(fd);
  }
}

function bytesOnDisk(file: string): number {
  let bytes = statSync(file).size;
  try {
    bytes += statSync(`${file}-wal`).size;
  } catch {}
  return bytes;
}

function vetContents(
  db: Database.Database,
  file: string,
  schema: MigrationRegistry,
  wholeFile: boolean,
): void {
  let applicationId: number;
  let version: number;
  let objectCount: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = schemaVersion(db);
    objectCount = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
  } catch (err) {
    throw new StoreRefusedError(file, `unreadable (${messageOf(err)}); it was left untouched`);
  }
  const blank = applicationId === 0 && version === 0 && objectCount === 0;
  if (!blank && applicationId !== APPLICATION_ID) {
    throw new StoreRefusedError(
      file,
      `application_id is 0x${applicationId.toString(16)}, not nfsgate's 0x${APPLICATION_ID.toString(16)}: ` +
        'this database belongs to another program',
    );
  }
  let problems: string[];
  try {
    problems = integrityProblems(db, wholeFile ? undefined : tablesCheckedAtOpen(db, schema));
  } catch (err) {
    throw new StoreRefusedError(file, `damaged (${messageOf(err)}); it was left untouched`);
  }
  if (problems.length > 0) {
    throw new StoreRefusedError(file, `damaged: quick_check reports ${problems.slice(0, 3).join('; ')}`);
  }
  if (version > schema.latestVersion) {
    throw new StoreRefusedError(
      file,
      `schema version ${version} is newer than this build understands (${schema.latestVersion}); ` +
        'run a newer nfsgate',
    );
  }
}

/** The schema table and every table that does not grow with use: a check of them costs the same at any size. */
function tablesCheckedAtOpen(db: Database.Database, schema: MigrationRegistry): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
  return ['sqlite_schema', ...tables.filter((t) => !schema.growingTables.has(t))];
}

/**
 * What SQLite's quick_check finds wrong ([] when nothing): in the given tables and their indexes, or in
 * the whole file (every page, so it takes time in proportion to its size) when no table is named.
 */
export function integrityProblems(db: Database.Database, tables?: readonly string[]): string[] {
  const check = (pragma: string) =>
    (db.pragma(pragma) as { quick_check: string }[]).map((r) => r.quick_check).filter((p) => p !== 'ok');
  if (tables === undefined) return check('quick_check');
  return tables.flatMap((t) => check(`quick_check("${t.replaceAll('"', '""')}")`));
}

function configure(db: Database.Database, file: string): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new StoreRefusedError(file, `cannot enable WAL journal (got ${String(mode)})`);
  // FULL fsyncs the WAL at every commit: a committed row survives a power cut, not just a crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
