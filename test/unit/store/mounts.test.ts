import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStateStore } from '../../../src/server/state-store.js';
import { MountList } from '../../../src/store/mounts.js';

describe('MountList', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsgate-mounts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one entry per client and directory, and survives a restart', () => {
    let store = openStateStore(dir);
    const mounts = new MountList(store);
    mounts.addMount('10.0.0.2', '/data');
    mounts.addMount('10.0.0.2', '/data');
    mounts.addMount('10.0.0.2', '/home');
    mounts.addMount('10.0.0.3', '/data');
    store.close();

    store = openStateStore(dir);
    assert.deepEqual(new MountList(store).listMounts(), [
      { client: '10.0.0.2', dirpath: '/data' },
      { client: '10.0.0.2', dirpath: '/home' },
      { client: '10.0.0.3', dirpath: '/data' },
    ]);
    store.close();
  });

  it('forgets one mount on UMNT and all of a client on UMNTALL', () => {
    const store = openStateStore(dir);
    const mounts = new MountList(store);
    mounts.removeMount('10.0.0.2', '/home');
    assert.deepEqual(mounts.listMounts(), [
      { client: '10.0.0.2', dirpath: '/data' },
      { client: '10.0.0.3', dirpath: '/data' },
    ]);
    mounts.removeAllMounts('10.0.0.2');
    assert.deepEqual(mounts.listMounts(), [{ client: '10.0.0.3', dirpath: '/data' }]);
    store.close();
  });
});
