import type { Logger } from '../observe/logger.js';

/** What a refused handle most likely means, for the operator reading the log. */
const WHY: Record<string, string> = {
  'unknown-key':
    'sealed by a key this state folder never had: the handle comes from another nfsgate state folder (or one that was lost or replaced); clients must mount again',
  'retired-key': 'sealed by a key retired with `nfsgate keys retire`',
  'bad-tag': 'its MAC does not verify: forged, corrupted, or sealed by another keyring',
  'badhandle-length': 'not an nfsgate handle (wrong length)',
  'badhandle-format': 'not an nfsgate handle (unknown format)',
  'unknown-export':
    'sealed for an export this server does not serve now: the export left the configuration, or the handle comes from another nfsgate state folder (lost, replaced or copied from another server)',
  'export-not-served':
    'sealed for an export this server does not serve now: the export left the configuration, or the handle comes from another nfsgate state folder',
  'unknown-object': 'its object is not in the catalog',
  'generation-mismatch': 'its object id does not match the catalog entry',
  'object-gone': 'its object was removed (or its inode reused)',
  'object-not-found': 'its object is no longer where the catalog last saw it',
};

/** Logs refused handles at most once a minute per reason, with the count since the last line. */
export class RefusalLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  note(reason: string, now = Date.now()): void {
    const seen = this.last.get(reason);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const level = reason === 'object-gone' || reason === 'object-not-found' ? 'info' : 'warn';
    this.log[level](
      { reason, since: seen?.suppressed ?? 0, why: WHY[reason] ?? reason },
      'file handle refused (answered STALE or BADHANDLE)',
    );
    this.last.set(reason, { at: now, suppressed: 0 });
  }
}
