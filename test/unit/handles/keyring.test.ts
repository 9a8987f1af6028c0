import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Keyring, type KeyringChange, KeyringError } from '../../../src/handles/keyring.js';
import { openStateStore } from '../../../src/server/state-store.js';
import type { Store } from '../../../src/store/store.js';

describe('Keyring', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-keys-'));
    store = openStateStore(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const restart = (): Keyring => {
    store.close();
    store = openStateStore(dir);
    return Keyring.open(store);
  };

  it('creates one active 256-bit key on first start, committed before open returns', () => {
    const keyring = Keyring.open(store);
    const key = keyring.active();
    assert.equal(key.id, 1);
    assert.equal(key.state, 'active');
    assert.equal(key.secret.length, 32);
    const other = openStateStore(dir);
    const row = other.db.prepare('SELECT secret FROM keys WHERE id = 1').get() as { secret: Buffer };
    other.close();
    assert.deepEqual(row.secret, key.secret);
  });

  it('keeps the same keys, secrets and states across a restart', () => {
    const keyring = Keyring.open(store);
    const first = keyring.active();
    const second = keyring.rotate();
    const reopened = restart();
    assert.deepEqual(reopened.active(), second);
    assert.deepEqual(reopened.byId(first.id)?.secret, first.secret);
    assert.deepEqual(
      reopened.list().map((k) => [k.id, k.state]),
      [
        [1, 'verify'],
        [2, 'active'],
      ],
    );
  });

  it('rotates to a new active key while the old one keeps verifying', () => {
    const keyring = Keyring.open(store);
    const old = keyring.active();
    const fresh = keyring.rotate();
    assert.notEqual(fresh.id, old.id);
    assert.notDeepEqual(fresh.secret, old.secret);
    assert.equal(keyring.active().id, fresh.id);
    assert.equal(keyring.byId(old.id)?.state, 'verify');
  });

  it('refuses to retire the active key, with a message saying what to do', () => {
    const keyring = Keyring.open(store);
    assert.throws(
      () => keyring.retire(keyring.active().id),
      (err: unknown) => {
        return err instanceof KeyringError && /active key; rotate/.test(err.message);
      },
    );
    assert.equal(keyring.active().state, 'active');
    assert.throws(() => keyring.retire(77), KeyringError);
  });

  it('retires a verifying key durably', () => {
    const keyring = Keyring.open(store);
    const old = keyring.active();
    keyring.rotate();
    keyring.retire(old.id);
    assert.equal(restart().byId(old.id)?.state, 'retired');
  });

  it('sees a rotation and a retirement made by another process on the next refreshIfChanged', () => {
    const server = Keyring.open(store);
    const changes: KeyringChange[] = [];
    server.onChange((c) => changes.push(c));
    assert.equal(server.refreshIfChanged(), false);

    const cliStore = openStateStore(dir);
    const cli = Keyring.open(cliStore);
    const old = cli.active();
    const fresh = cli.rotate();
    assert.equal(server.active().id, old.id, 'nothing changes before the refresh');
    assert.equal(server.refreshIfChanged(), true);
    assert.equal(server.active().id, fresh.id);
    assert.deepEqual(server.active().secret, fresh.secret);
    assert.deepEqual(changes, [{ activeChanged: true, added: [fresh.id], retired: [] }]);

    cli.retire(old.id);
    cliStore.close();
    assert.equal(server.refreshIfChanged(), true);
    assert.equal(server.byId(old.id)?.state, 'retired');
    assert.deepEqual(changes[1], { activeChanged: false, added: [], retired: [old.id] });
    assert.equal(server.refreshIfChanged(), false);
  });

  it('reports no change when another process changed something other than keys', () => {
    const server = Keyring.open(store);
    let calls = 0;
    server.onChange(() => calls++);
    const other = openStateStore(dir);
    other.db.prepare("INSERT INTO mounts (client, dirpath) VALUES ('c', '/d')").run();
    other.close();
    assert.equal(server.refreshIfChanged(), false);
    assert.equal(calls, 0);
  });
});
