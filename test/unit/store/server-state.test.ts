import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStateStore } from '../../../src/server/state-store.js';
import { recordBoot } from '../../../src/store/server-state.js';

describe('recordBoot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsgate-boot-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every start durably, across reopenings of the database', () => {
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const store = openStateStore(dir);
      counts.push(recordBoot(store).bootCount);
      store.close();
    }
    assert.deepEqual(counts, [1, 2, 3]);
  });

  it('derives an 8-byte write verifier from boot count and start seconds, new on every start', () => {
    const store = openStateStore(dir);
    const at = new Date(1_700_000_000_500);
    const first = recordBoot(store, at);
    const second = recordBoot(store, at);
    store.close();
    assert.equal(first.writeVerifier.length, 8);
    assert.equal(first.writeVerifier.readUInt32BE(0), first.bootCount);
    assert.equal(first.writeVerifier.readUInt32BE(4), 1_700_000_000);
    assert.notDeepEqual(first.writeVerifier, second.writeVerifier);
  });
});
