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

interface LinkRow {
  parent_id: bigint;
  name: Buffer;
}

/** The catalog's SQL, kept apart from its in-memory logic. Integers are read as bigint (ids are u64). */
export class CatalogRows {
  readonly #db: Database.Database;
  readonly #object: Database.Statement;
  readonly #links: Database.Statement;
  readonly #byInode: Database.Statement;
  readonly #linkOwner: Database.Statement;
  readonly #roots: Database.Statement;
  readonly #highWater: Database.Statement;
  readonly #upsertObject: Database.Statement;
  readonly #deleteLinks: Database.Statement;
  readonly #insertLink: Database.Statement;
  readonly #insertRoot: Database.Statement;

  kernelHandle(id: bigint): Buffer | undefined {
    const row = this.#db.prepare('SELECT handle FROM kernel_handles WHERE object_id = ?').get(id) as
      | { handle: Buffer }
      | undefined;
    return row?.handle;
  }

  /** Moves every object of an export to another device number (see Catalog.rebaseDevice). */
  rebaseDevice(exportId: number, from: bigint, to: bigint): number {
    return this.#db
      .prepare('UPDATE objects SET dev = ? WHERE export_id = ? AND dev = ?')
      .run(to.toString(), exportId, from.toString()).changes;
  }
  constructor(db: Database.Database) {
    this.#db = db;
    this.#object = db.prepare('SELECT * FROM objects WHERE id = ?').safeIntegers(true);
    this.#links = db.prepare('SELECT parent_id, name FROM links WHERE object_id = ?').safeIntegers(true);
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
  }

  load(id: ObjectId): CatalogObject | undefined {
    const row = this.#object.get(id) as ObjectRow | undefined;
    if (!row) return undefined;
    const links = (this.#links.all(id) as LinkRow[]).map(
      (l): CatalogLink => Object.freeze({ parentId: asObjectId(l.parent_id), name: l.name }),
    );
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

  /** Writes the current state of the given objects and the new export roots in one transaction. */
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
    const putHandle =
      kernelHandles.size > 0
        ? this.#db.prepare('INSERT OR REPLACE INTO kernel_handles (object_id, handle) VALUES (?, ?)')
        : undefined;
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
        for (const [objectId, handle] of kernelHandles) putHandle?.run(objectId, handle);
      })
      .immediate();
  }
}
