/** One MOUNT DUMP entry: a client (its address) and the directory path it mounted, as it asked for it. */
export interface MountRecord {
  readonly client: string;
  readonly dirpath: string;
}

/** The persistent list behind MOUNTPROC3_DUMP (kept across restarts by whoever implements it). */
export interface MountList {
  addMount(client: string, dirpath: string): void;
  removeMount(client: string, dirpath: string): void;
  removeAllMounts(client: string): void;
  listMounts(): readonly MountRecord[];
}

/** A MountList held in memory only, for tests and for running without a store. */
export class MemoryMountList implements MountList {
  readonly #entries = new Map<string, MountRecord>();

  addMount(client: string, dirpath: string): void {
    this.#entries.set(`${client}\0${dirpath}`, { client, dirpath });
  }

  removeMount(client: string, dirpath: string): void {
    this.#entries.delete(`${client}\0${dirpath}`);
  }

  removeAllMounts(client: string): void {
    for (const [key, entry] of this.#entries) if (entry.client === client) this.#entries.delete(key);
  }

  listMounts(): readonly MountRecord[] {
    return [...this.#entries.values()].sort((a, b) =>
      a.client === b.client ? a.dirpath.localeCompare(b.dirpath) : a.client.localeCompare(b.client),
    );
  }
}
