import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../src/handles/keyring.js';
import { HandleSealer } from '../src/handles/sealer.js';
import { openStateStore } from '../src/server/state-store.js';
import type { ExportId, ObjectId } from '../src/store/ids.js';
import { type Bounds, loopSync } from './measure.js';
import type { Emit } from './result.js';

const EXPORT = 1 as ExportId;
const EXPORT_UUID = Buffer.alloc(16, 0xab);
/** Distinct handles for the uncached case, so every open really computes an HMAC. */
const DISTINCT_HANDLES = 4096;

/** Sealing and opening file handles: the HMAC on a cache miss, a map lookup on a hit. */
export function runHandles(emit: Emit, bounds: Bounds): void {
  const dir = mkdtempSync(join(tmpdir(), 'nfsgate-bench-keys-'));
  const store = openStateStore(dir);
  try {
    const keyring = Keyring.open(store);
    const uuidOf = (id: ExportId) => (id === EXPORT ? EXPORT_UUID : undefined);
    const cached = new HandleSealer(keyring, uuidOf);
    const uncached = new HandleSealer(keyring, uuidOf, { cacheCapacity: 0 });

    let n = 0n;
    const seal = loopSync(() => {
      cached.seal(EXPORT, (n++ & 0xffffn) as ObjectId, 1);
    }, bounds);
    emit({
      group: 'handles',
      name: 'seal',
      value: seal.opsPerSec,
      unit: 'ops/s',
      extra: { ns_per_op: seal.nsPerOp },
    });

    const handles = Array.from({ length: DISTINCT_HANDLES }, (_, i) =>
      cached.seal(EXPORT, BigInt(i + 1) as ObjectId, 1),
    );
    const expectOpen = (r: { ok: boolean }) => {
      if (!r.ok) throw new Error('a genuine handle was refused');
    };

    let i = 0;
    const miss = loopSync(() => expectOpen(uncached.open(handles[i++ % DISTINCT_HANDLES]!)), bounds);
    emit({
      group: 'handles',
      name: 'open uncached (HMAC)',
      value: miss.opsPerSec,
      unit: 'ops/s',
      extra: { ns_per_op: miss.nsPerOp },
    });

    for (const h of handles) expectOpen(cached.open(h));
    const hit = loopSync(() => expectOpen(cached.open(handles[i++ % DISTINCT_HANDLES]!)), bounds);
    emit({
      group: 'handles',
      name: 'open cached',
      value: hit.opsPerSec,
      unit: 'ops/s',
      extra: { ns_per_op: hit.nsPerOp },
    });

    // A forged handle can never be cached, so each costs a full HMAC: this bounds a forgery flood.
    const forged = Buffer.from(handles[0]!);
    forged[forged.length - 1]! ^= 1;
    const refuse = loopSync(() => {
      if (cached.open(forged).ok) throw new Error('a forged handle was accepted');
    }, bounds);
    emit({
      group: 'handles',
      name: 'open forged (refused)',
      value: refuse.opsPerSec,
      unit: 'ops/s',
      extra: { ns_per_op: refuse.nsPerOp },
    });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
