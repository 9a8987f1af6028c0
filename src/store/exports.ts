import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type FileIdentity, type IdentityKind, sameIdentity } from './identity.js';
import { asExportId, type ExportId } from './ids.js';
import type { Store } from './store.js';

export type ExportState = 'live' | 'replaced';

export interface ExportBinding {
  /** Directory exported, as configured. */
  readonly path: string;
  /** The MOUNT path clients ask for. */
  readonly name: string;
  /** Identity of the export root directory, as statx reports it now. */
  readonly rootIdentity: FileIdentity;
  /** What tells the export's objects apart from later ones reusing their inode numbers (recorded). */
  readonly identity?: IdentityKind;
  /** An explicitly configured fsid (exports(5) fsid=); otherwise a stable random one is kept. */
  readonly fsid?: bigint;
  readonly options?: unknown;
}

export interface StoredExport {
  readonly id: ExportId;
  readonly uuid: Buffer;
  readonly fsid: bigint;
  readonly path: string;
  readonly name: string;
  readonly rootIdentity: FileIdentity;
  /** As recorded when the export was last bound; undefined for a row from before it was recorded. */
  readonly identity: IdentityKind | undefined;
  readonly options: unknown;
  /** 'replaced': the directory at its path was replaced by another one; its handles are stale. */
  readonly state: ExportState;
  readonly createdAt: number;
  /**
   * Set by bindExport when the export's filesystem came back with another device number (a remount,
   * another node, a renumbered block device): the catalog must move its objects to the new device.
   */
  readonly previousDev?: bigint;
}

interface ExportRow {
  id: number;
  uuid: Buffer;
  fsid: string;
  path: string;
  name: string;
  root_dev: string;
  root_ino: string;
  root_btime: string;
  identity: string | null;
  options: string;
  state: ExportState;
  created_at: number;
}

const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/**
 * The exports registry. An export is recognised by the identity of its root directory, so renaming or
 * reordering the configuration keeps its id, uuid and fsid (and therefore every handle) unchanged.
 */
export class ExportRegistry {
  readonly #db: Database.Database;
  readonly #live = new Map<number, StoredExport>();

  constructor(store: Store) {
    this.#db = store.db;
    this.#reload();
  }

  bindExport(binding: ExportBinding): StoredExport {
    if (binding.fsid !== undefined && (binding.fsid < 0n || binding.fsid > MAX_U64)) {
      throw new RangeError(`fsid out of range for a u64: ${binding.fsid}`);
    }
    const db = this.#db;
    let previousDev: bigint | undefined;
    const id = db
      .transaction((): number => {
        const live = (db.prepare("SELECT * FROM exports WHERE state = 'live'").all() as ExportRow[]).map(
          toExport,
        );
        const same =
          live.find((e) => sameIdentity(e.rootIdentity, binding.rootIdentity)) ??
          live.find((e) => isUpgradedRoot(e, binding));
        // The same directory (path, inode and birth time) on a filesystem that now has another device
        // number: the export is the same; only st_dev moved.
        const remounted = same
          ? undefined
          : live.find(
              (e) =>
                e.path === binding.path &&
                e.rootIdentity.btime !== 0n &&
                e.rootIdentity.btime === binding.rootIdentity.btime &&
                e.rootIdentity.ino === binding.rootIdentity.ino &&
                e.rootIdentity.dev !== binding.rootIdentity.dev,
            );
        const options = JSON.stringify(binding.options ?? {});
        let boundId: number;
        if (remounted) {
          db.prepare('UPDATE exports SET root_dev = ?, name = ?, options = ?, fsid = ? WHERE id = ?').run(
            binding.rootIdentity.dev.toString(),
            binding.name,
            options,
            (binding.fsid ?? remounted.fsid).toString(),
            remounted.id,
          );
          previousDev = remounted.rootIdentity.dev;
          boundId = remounted.id;
        } else if (same) {
          db.prepare(
            'UPDATE exports SET path = ?, name = ?, options = ?, fsid = ?, root_btime = ? WHERE id = ?',
          ).run(
            binding.path,
            binding.name,
            options,
            (binding.fsid ?? same.fsid).toString(),
            binding.rootIdentity.btime.toString(),
            same.id,
          );
          boundId = same.id;
        } else {
          const uuid = randomBytes(16);
          const fsid = binding.fsid ?? uuid.readBigUInt64BE(0);
          const { dev, ino, btime } = binding.rootIdentity;
          const result = db
            .prepare(
              `INSERT INTO exports (uuid, path, name, fsid, root_dev, root_ino, root_btime, options, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              uuid,
              binding.path,
              binding.name,
              fsid.toString(),
              dev.toString(),
              ino.toString(),
              btime.toString(),
              options,
              Math.floor(Date.now() / 1000),
            );
          boundId = Number(result.lastInsertRowid);
        }
        if (binding.identity !== undefined)
          db.prepare('UPDATE exports SET identity = ? WHERE id = ?').run(binding.identity, boundId);
        // Another directory now sits at this path: whatever was exported there before is gone for good.
        db.prepare("UPDATE exports SET state = 'replaced' WHERE state = 'live' AND path = ? AND id <> ?").run(
          binding.path,
          boundId,
        );
        return boundId;
      })
      .immediate();
    this.#reload();
    const bound = this.#live.get(id);
    if (!bound) throw new Error(`export ${id} vanished right after binding`);
    return previousDev === undefined ? bound : { ...bound, previousDev };
  }

  /** Every export ever bound, replaced ones included, by id. */
  listExports(): StoredExport[] {
    return (this.#db.prepare('SELECT * FROM exports ORDER BY id').all() as ExportRow[]).map(toExport);
  }

  /** A live export by id; replaced and unknown ids give undefined. */
  byId(id: number): StoredExport | undefined {
    return this.#live.get(id);
  }

  /** The UUID that handles of this export are sealed with; undefined makes such handles stale. */
  uuidOf(id: number): Buffer | undefined {
    return this.#live.get(id)?.uuid;
  }

  #reload(): void {
    this.#live.clear();
    for (const row of this.#db.prepare("SELECT * FROM exports WHERE state = 'live'").all() as ExportRow[]) {
      const e = toExport(row);
      this.#live.set(e.id, e);
    }
  }
}

/**
 * A row bound before identities were recorded, on a filesystem without birth times, whose root now
 * identifies by its file handle: the same directory (path, device and inode), as it was matched then.
 */
function isUpgradedRoot(e: StoredExport, binding: ExportBinding): boolean {
  return (
    e.identity === undefined &&
    e.rootIdentity.btime === 0n &&
    e.path === binding.path &&
    e.rootIdentity.dev === binding.rootIdentity.dev &&
    e.rootIdentity.ino === binding.rootIdentity.ino
  );
}

function toExport(row: ExportRow): StoredExport {
  return {
    id: asExportId(row.id),
    uuid: row.uuid,
    fsid: BigInt(row.fsid),
    path: row.path,
    name: row.name,
    rootIdentity: { dev: BigInt(row.root_dev), ino: BigInt(row.root_ino), btime: BigInt(row.root_btime) },
    identity: (row.identity ?? undefined) as IdentityKind | undefined,
    options: JSON.parse(row.options) as unknown,
    state: row.state,
    createdAt: row.created_at,
  };
}
