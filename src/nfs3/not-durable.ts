import { nfsstat3 } from '../xdr/generated/nfs3.js';
import { NO_ATTRS, NO_WCC } from './attributes.js';

/**
 * The catalog could not make a change durable (its commit or the WAL sync failed). A reply that would
 * carry a handle for that change must not leave the server: after a crash the handle could resolve to
 * nothing. Thrown by `Objects.durable()` and turned into NFS3ERR_JUKEBOX in one place (the program's
 * dispatch table), so the client retries later, once the store is writable again.
 */
export class NotDurableError extends Error {
  constructor(cause: unknown) {
    super(`catalog change not durable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'NotDurableError';
  }
}

/** Runs a procedure; a NotDurableError becomes `failure` (JUKEBOX with the procedure's empty failure
 * arm), any other exception stays a bug for the dispatcher. */
export async function unlessNotDurable<R>(run: () => Promise<R> | R, failure: R): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof NotDurableError) return failure;
    throw err;
  }
}

const JUKEBOX = nfsstat3.NFS3ERR_JUKEBOX;

/** The failure replies of the procedures that hand out handles, answered when a change is not durable. */
export const NOT_DURABLE = {
  lookup: { status: JUKEBOX, resfail: { dir_attributes: NO_ATTRS } },
  created: { status: JUKEBOX, resfail: { dir_wcc: NO_WCC } },
  rename: { status: JUKEBOX, resfail: { fromdir_wcc: NO_WCC, todir_wcc: NO_WCC } },
  link: { status: JUKEBOX, resfail: { file_attributes: NO_ATTRS, linkdir_wcc: NO_WCC } },
  readdirplus: { status: JUKEBOX, resfail: { dir_attributes: NO_ATTRS } },
} as const;
