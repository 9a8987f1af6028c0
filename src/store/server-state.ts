import type { Store } from './store.js';

export interface BootRecord {
  /** How many times the server has started, this start included. */
  readonly bootCount: number;
  /** Start time, seconds since the epoch. */
  readonly startedAt: number;
  /** WRITE/COMMIT verifier (writeverf3): boot counter u32 | start seconds u32, different on every start. */
  readonly writeVerifier: Buffer;
}

/**
 * Counts this start durably (committed before returning) and derives the write verifier from it, so a
 * client holding UNSTABLE data from an earlier run sees a new verifier and resends.
 */
export function recordBoot(store: Store, now: Date = new Date()): BootRecord {
  const startedAt = Math.floor(now.getTime() / 1000);
  const { db } = store;
  const bootCount = db
    .transaction(() => {
      const row = db.prepare('SELECT boot_count FROM server_state WHERE id = 1').get() as
        | { boot_count: number }
        | undefined;
      const next = (row?.boot_count ?? 0) + 1;
      db.prepare(
        `INSERT INTO server_state (id, boot_count, last_boot_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET boot_count = excluded.boot_count, last_boot_at = excluded.last_boot_at`,
      ).run(next, startedAt);
      return next;
    })
    .immediate();
  return { bootCount, startedAt, writeVerifier: writeVerifierFor(bootCount, startedAt) };
}

export function writeVerifierFor(bootCount: number, startedAt: number): Buffer {
  const verifier = Buffer.alloc(8);
  verifier.writeUInt32BE(bootCount >>> 0, 0);
  verifier.writeUInt32BE(startedAt >>> 0, 4);
  return verifier;
}
