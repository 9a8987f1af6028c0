import type Database from 'better-sqlite3';
import type { Store } from './store.js';

export interface MountEntry {
  readonly client: string;
  readonly dirpath: string;
}

/** The MOUNT protocol's list of (client, directory) pairs (MOUNTPROC3_DUMP), kept across restarts. */
export class MountList {
  readonly #add: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #removeAll: Database.Statement;
  readonly #list: Database.Statement;

  constructor(store: Store) {
    const { db } = store;
    this.#add = db.prepare(
      `INSERT INTO mounts (client, dirpath, mounted_at) VALUES (?, ?, ?)
       ON CONFLICT (client, dirpath) DO UPDATE SET mounted_at = excluded.mounted_at`,
    );
    this.#remove = db.prepare('DELETE FROM mounts WHERE client = ? AND dirpath = ?');
    this.#removeAll = db.prepare('DELETE FROM mounts WHERE client = ?');
    this.#list = db.prepare('SELECT client, dirpath FROM mounts ORDER BY client, dirpath');
  }

  addMount(client: string, dirpath: string): void {
    this.#add.run(client, dirpath, Math.floor(Date.now() / 1000));
  }

  removeMount(client: string, dirpath: string): void {
    this.#remove.run(client, dirpath);
  }

  removeAllMounts(client: string): void {
    this.#removeAll.run(client);
  }

  listMounts(): MountEntry[] {
    return this.#list.all() as MountEntry[];
  }
}
