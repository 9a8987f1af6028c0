import type { ObjectId } from '../store/ids.js';

/**
 * Exclusive locks by object, granted in arrival order: what knfsd gets from the directory's inode lock.
 * A namespace change (CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK) holds its
 * directories, and SETATTR its object, from the first system call to the catalog update, so the
 * wcc_data it reports brackets exactly its own change and the catalog learns changes to one directory
 * in the order the filesystem made them. The wait for the catalog's commit happens after the lock is
 * released, so requests on one directory still share group commits.
 */
export class ObjectLocks {
  private readonly tails = new Map<ObjectId, Promise<void>>();

  /** Runs `work` holding every object in `ids` (taken in id order, so two holders of the same pair
   * cannot deadlock). */
  async run<T>(ids: readonly ObjectId[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const releases: (() => void)[] = [];
    try {
      for (const key of keys) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** How many objects are locked or waited for (tests, metrics). */
  get size(): number {
    return this.tails.size;
  }

  private acquire(key: ObjectId): Promise<() => void> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? held : previous.then(() => held);
    this.tails.set(key, tail);
    const unlock = () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    return previous === undefined ? Promise.resolve(unlock) : previous.then(() => unlock);
  }
}
