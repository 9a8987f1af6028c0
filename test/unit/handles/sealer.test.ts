import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Keyring } from '../../../src/handles/keyring.js';
import { type HandleRefusal, HandleSealer, nfsStatusForRefusal } from '../../../src/handles/sealer.js';
import { openStateStore } from '../../../src/server/state-store.js';
import { asExportId, asObjectId, type ExportId } from '../../../src/store/ids.js';
import type { Store } from '../../../src/store/store.js';

const EXPORT = asExportId(1);
const OBJECT = asObjectId(0x0123_4567_89ab_cdefn);
const GENERATION = 0xdead_beef;

describe('HandleSealer', () => {
  let dir: string;
  let store: Store;
  let keyring: Keyring;
  let uuids: Map<number, Buffer>;
  let lookups: number;
  let sealer: HandleSealer;
  const lookup = (id: ExportId): Buffer | undefined => {
    lookups++;
    return uuids.get(id);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-sealer-'));
    store = openStateStore(dir);
    keyring = Keyring.open(store);
    uuids = new Map([
      [1, randomBytes(16)],
      [2, randomBytes(16)],
    ]);
    lookups = 0;
    sealer = new HandleSealer(keyring, lookup);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function refusal(raw: Buffer, using = sealer): HandleRefusal | 'ok' {
    const r = using.open(raw);
    return r.ok ? 'ok' : r.reason;
  }

  it('seals 32 bytes: format 1, key id, export id, object id, generation, tag', () => {
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    assert.equal(fh.length, 32);
    assert.equal(fh[0], 1);
    assert.equal(fh[1], keyring.active().id);
    assert.equal(fh.readUInt16BE(2), 1);
    assert.equal(fh.readBigUInt64BE(4), OBJECT);
    assert.equal(fh.readUInt32BE(12), GENERATION);
  });

  it('opens what it sealed, giving back the same fields', () => {
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    assert.deepEqual(sealer.open(Buffer.from(fh)), {
      ok: true,
      fields: { keyId: keyring.active().id, exportId: EXPORT, objectId: OBJECT, generation: GENERATION },
    });
  });

  it('refuses every single-bit flip of a valid handle', () => {
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    const reasons = new Set<string>();
    for (let bit = 0; bit < fh.length * 8; bit++) {
      const flipped = Buffer.from(fh);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const reason = refusal(flipped);
      assert.notEqual(reason, 'ok', `bit ${bit} flipped was accepted`);
      reasons.add(reason);
    }
    assert.deepEqual([...reasons].sort(), ['bad-tag', 'badhandle-format', 'unknown-export', 'unknown-key']);
    assert.equal(refusal(Buffer.from(fh)), 'ok');
  });

  it('refuses truncated and extended handles as badhandle-length', () => {
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    for (let len = 0; len < fh.length; len++) assert.equal(refusal(fh.subarray(0, len)), 'badhandle-length');
    assert.equal(refusal(Buffer.concat([fh, Buffer.alloc(1)])), 'badhandle-length');
    assert.equal(refusal(Buffer.concat([fh, fh])), 'badhandle-length');
  });

  it('refuses random bytes, whatever the format byte says', () => {
    for (let i = 0; i < 5000; i++) {
      const raw = randomBytes(32);
      if (i % 2 === 0) raw[0] = 1;
      if (i % 4 === 0) raw[1] = keyring.active().id;
      assert.notEqual(refusal(raw), 'ok');
    }
  });

  it("refuses a handle sealed by another server's keyring for the same export", () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'nfsgate-sealer-other-'));
    const otherStore = openStateStore(otherDir);
    const other = new HandleSealer(Keyring.open(otherStore), lookup);
    const foreign = other.seal(EXPORT, OBJECT, GENERATION);
    otherStore.close();
    rmSync(otherDir, { recursive: true, force: true });
    assert.equal(foreign[1], keyring.active().id, 'same key id, different secret');
    assert.equal(refusal(foreign), 'bad-tag');
  });

  it('refuses a handle checked against another export uuid (the tag binds the export)', () => {
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    const elsewhere = new HandleSealer(keyring, (id) => (id === EXPORT ? uuids.get(2) : undefined));
    assert.equal(refusal(fh, elsewhere), 'bad-tag');
  });

  it('refuses handles of an export that is no longer live', () => {
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    uuids.delete(1);
    assert.equal(refusal(fh), 'unknown-export');
  });

  it('keeps opening handles of a rotated-out key and refuses them once it is retired', () => {
    const old = keyring.active();
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    keyring.rotate();
    assert.equal(refusal(fh), 'ok');
    assert.equal(sealer.seal(EXPORT, OBJECT, GENERATION)[1], keyring.active().id);
    keyring.retire(old.id);
    assert.equal(refusal(fh), 'retired-key');
  });

  it('answers repeated opens from its cache, and drops the cache when another process retires a key', () => {
    const old = keyring.active();
    const fh = sealer.seal(EXPORT, OBJECT, GENERATION);
    assert.equal(refusal(fh), 'ok');
    assert.equal(refusal(fh), 'ok');
    assert.equal(lookups, 2, 'one lookup to seal, one to verify; the second open is cached');
    assert.equal(sealer.cachedHandles, 1);

    const cliStore = openStateStore(dir);
    const cli = Keyring.open(cliStore);
    cli.rotate();
    cli.retire(old.id);
    cliStore.close();
    assert.equal(refusal(fh), 'ok', 'not yet refreshed');
    keyring.refreshIfChanged();
    assert.equal(sealer.cachedHandles, 0);
    assert.equal(refusal(fh), 'retired-key');
  });

  it('maps malformed handles to BADHANDLE and unusable ones to STALE', () => {
    assert.equal(nfsStatusForRefusal('badhandle-length'), 'BADHANDLE');
    assert.equal(nfsStatusForRefusal('badhandle-format'), 'BADHANDLE');
    for (const r of ['unknown-key', 'retired-key', 'unknown-export', 'bad-tag'] as const) {
      assert.equal(nfsStatusForRefusal(r), 'STALE');
    }
  });

  it('refuses to seal for an export that is not live', () => {
    assert.throws(() => sealer.seal(asExportId(9), OBJECT, GENERATION), /not a live export/);
  });
});
