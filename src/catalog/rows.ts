import type Database from 'better-sqlite3';
import type { FileIdentity } from '../store/identity.js';
import { asExportId, asObjectId, type ExportId, type ObjectId } from '../store/ids.js';
import { type CatalogLink, type CatalogObject, isFileType } from './types.js';

interface ObjectRow {
  id: bigint;
  export_id: bigint;
  dev: string;
  ino: string;
  btime: string;
  type: bigint;
  generation: bigint;
  state: 'live' | 'gone';
  last_dir: bigint | null;
}

/** An object's row once per link (once with NULLs when it has none, as a root). */
interface ObjectLinkRow extends ObjectRow {
  link_parent: bigint | null;
  link_name: Buffer | null;
}

/** The catalog's SQL, kept apart from its in-memory logic. Integers are read as bigint (ids are u64). */
export class CatalogRows {
  readonly #db: Database.Database;
  readonly #objectWithLinks: Database.Statement;
  readonly #byInode: Database.Statement;
  readonly #linkOwner: Database.Statement;
  readonly #roots: Database.Statement;
  readonly #highWater: Database.Statement;
  readonly #upsertObject: Database.Statement;
  readonly #deleteLinks: Database.Statement;
  readonly #insertLink: Database.Statement;
  readonly #insertRoot: Database.Statement;
  readonly #kernelHandle: Database.Statement;
  readonly #putKernelHandle: Database.Statement;

  /**
   * Every statement is prepared once, here: the catalog's lookups run on every request that misses its
   * cache, and each is one indexed read (objects by id or identity, links by name or object).
   */
  constructor(db: Database.Database) {
    this.#db = db;
    // One statement, so one read transaction: with the WAL, starting one costs more than the reads.
    this.#objectWithLinks = db
      .prepare(
        `SELECT o.*, l.parent_id AS link_parent, l.name AS link_name
         FROM objects o LEFT JOIN links l ON l.object_id = o.id
         WHERE o.id = ? ORDER BY l.parent_id, l.name`,
      )
      .safeIntegers(true);
    this.#byInode = db
      .prepare('SELECT id FROM objects WHERE export_id = ? AND dev = ? AND ino = ?')
      .safeIntegers(true);
    this.#linkOwner = db
      .prepare('SELECT object_id FROM links WHERE parent_id = ? AND name = ?')
      .safeIntegers(true);
    this.#roots = db.prepare('SELECT export_id, object_id FROM export_roots').safeIntegers(true);
    this.#highWater = db
      .prepare(
        `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'objects'), 0),
                    coalesce((SELECT max(id) FROM objects), 0)) AS high`,
      )
      .safeIntegers(true);
    this.#upsertObject = db.prepare(
      `INSERT INTO objects (id, export_id, dev, ino, btime, type, generation, state, last_dir)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET btime = excluded.btime, type = excluded.type, state = excluded.state,
         last_dir = excluded.last_dir`,
    );
    this.#deleteLinks = db.prepare('DELETE FROM links WHERE object_id = ?');
    this.#insertLink = db.prepare('INSERT INTO links (object_id, parent_id, name) VALUES (?, ?, ?)');
    this.#insertRoot = db.prepare('INSERT OR REPLACE INTO export_roots (export_id, object_id) VALUES (?, ?)');
    this.#kernelHandle = db.prepare('SELECT handle FROM kernel_handles WHERE object_id = ?');
    this.#putKernelHandle = db.prepare(
      'INSERT OR REPLACE INTO kernel_handles (object_id, handle) VALUES (?, ?)',
    );
  }

  kernelHandle(id: bigint): Buffer | undefined {
    const row = this.#kernelHandle.get(id) as { handle: Buffer } | undefined;
    return row?.handle;
  }

  /** Moves every object of an export to another device number (see Catalog.rebaseDevice). */
  rebaseDevice(exportId: number, from: bigint, to: bigint): number {
    return this.#db
      .prepare('UPDATE objects SET dev = ? WHERE export_id = ? AND dev = ?')
      .run(to.toString(), exportId, from.toString()).changes;
  }

  load(id: ObjectId): CatalogObject | undefined {
    const rows = this.#objectWithLinks.all(id) as ObjectLinkRow[];
    const row = rows[0];
    if (!row) return undefined;
    const links: CatalogLink[] = [];
    for (const r of rows) {
      if (r.link_parent !== null && r.link_name !== null)
        links.push(Object.freeze({ parentId: asObjectId(r.link_parent), name: r.link_name }));
    }
    const type = Number(row.type);
    if (!isFileType(type)) throw new Error(`catalog row ${id} has an invalid type ${type}`);
    return Object.freeze({
      id,
      exportId: asExportId(Number(row.export_id)),
      ident: Object.freeze({ dev: BigInt(row.dev), ino: BigInt(row.ino), btime: BigInt(row.btime) }),
      type,
      generation: Number(row.generation),
      state: row.state,
      links: Object.freeze(links),
      ...(row.last_dir !== null && { lastDir: asObjectId(row.last_dir) }),
    });
  }

  /** Committed objects that occupy this inode slot, whatever their birth time or state. */
  idsAtInode(exportId: ExportId, ident: FileIdentity): ObjectId[] {
    return (this.#byInode.all(exportId, ident.dev.toString(), ident.ino.toString()) as { id: bigint }[]).map(
      (r) => asObjectId(r.id),
    );
  }

  /** The committed owner of a name, if any. */
  linkOwnerId(parentId: ObjectId, name: Buffer): ObjectId | undefined {
    const row = this.#linkOwner.get(parentId, name) as { object_id: bigint } | undefined;
    return row ? asObjectId(row.object_id) : undefined;
  }

  roots(): Map<ExportId, ObjectId> {
    const roots = new Map<ExportId, ObjectId>();
    for (const r of this.#roots.all() as { export_id: bigint; object_id: bigint }[]) {
      roots.set(asExportId(Number(r.export_id)), asObjectId(r.object_id));
    }
    return roots;
  }

  /** The largest id ever assigned, deleted rows included: new ids start above it. */
  highWaterMark(): bigint {
    return (this.#highWater.get() as { high: bigint }).high;
  }

  /**
   * Writes the batch in one transaction with `synchronous = NORMAL`: the WAL is written but not synced;
   * the caller syncs it (WalSync) before anything depends on the batch being durable.
   */
  writeBatchUnsynced(
    objects: readonly CatalogObject[],
    newRoots: ReadonlyMap<ExportId, ObjectId>,
    kernelHandles: ReadonlyMap<ObjectId, Buffer>,
  ): void {
    this.#db.pragma('synchronous = NORMAL');
    try {
      this.writeBatch(objects, newRoots, kernelHandles);
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  writeBatch(
    objects: readonly CatalogObject[],
    newRoots: ReadonlyMap<ExportId, ObjectId>,
    kernelHandles: ReadonlyMap<ObjectId, Buffer> = new Map(),
  ): void {
    this.#db
      .transaction(() => {
        for (const o of objects) {
          this.#upsertObject.run(
            o.id,
            o.exportId,
            o.ident.dev.toString(),
            o.ident.ino.toString(),
            o.ident.btime.toString(),
            o.type,
            o.generation,
            o.state,
            o.lastDir ?? null,
          );
        }
        // All old names go before any new one is written: a name may have moved between two objects.
        for (const o of objects) this.#deleteLinks.run(o.id);
        for (const o of objects) for (const l of o.links) this.#insertLink.run(o.id, l.parentId, l.name);
        for (const [exportId, objectId] of newRoots) this.#insertRoot.run(exportId, objectId);
        for (const [objectId, handle] of kernelHandles) this.#putKernelHandle.run(objectId, handle);
      })
      .immediate();
  }
}
