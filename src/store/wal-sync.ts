import fs from 'node:fs';

/**
 * fsync of the store's write-ahead log, for commits made with `synchronous = NORMAL` (which writes the
 * WAL but does not sync it). Together they are as durable as `synchronous = FULL`, but the fsync can run
 * on the thread pool instead of stalling the event loop. A commit's frames are either still in the WAL
 * (synced here) or already checkpointed into the database file (SQLite syncs that itself in NORMAL mode).
 * The descriptor is checked against the path before each use, so a WAL file that was deleted and
 * recreated (its last connection closed) is never synced through a stale descriptor.
 */
export class WalSync {
  private fd: number | undefined;
  private ino: bigint | undefined;

  constructor(private readonly databaseFile: string) {}

  private get walFile(): string {
    return `${this.databaseFile}-wal`;
  }

  /** A descriptor of the current WAL file, or of the database file when there is no WAL right now. */
  private descriptor(): number {
    let st: fs.BigIntStats | undefined;
    try {
      st = fs.statSync(this.walFile, { bigint: true });
    } catch {
      st = undefined;
    }
    const path = st ? this.walFile : this.databaseFile;
    const ino = st ? st.ino : fs.statSync(this.databaseFile, { bigint: true }).ino;
    if (this.fd !== undefined && this.ino === ino) return this.fd;
    this.close();
    this.fd = fs.openSync(path, 'r');
    this.ino = ino;
    return this.fd;
  }

  now(): void {
    fs.fsyncSync(this.descriptor());
  }

  later(): Promise<void> {
    const fd = this.descriptor();
    return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {}
    }
    this.fd = undefined;
    this.ino = undefined;
  }
}
