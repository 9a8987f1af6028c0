import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RpcClient } from '../../src/rpc/client.js';
import { MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES } from '../../src/xdr/generated/mount.js';
import { Gateway } from './helpers/gateway.js';

/** MOUNTPROC3_DUMP, as `showmount -a` asks it: who has mounted what. */
async function dump(mountPort: number): Promise<string[]> {
  const c = await RpcClient.connect({ host: '127.0.0.1', port: mountPort });
  try {
    const list = await c.call(MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES.MOUNTPROC3_DUMP, undefined);
    return list.map((m) => `${m.ml_hostname.toString()}:${m.ml_directory.toString()}`).sort();
  } finally {
    c.close();
  }
}

describe('the MOUNT list across restarts', () => {
  let gw: Gateway;
  before(async () => {
    gw = await Gateway.start();
  });
  after(async () => {
    await gw?.close();
  });

  it('still lists a client that mounted before a kill -9, and forgets it after its UMNT', async () => {
    assert.deepEqual(await dump(gw.server.mountPort), ['127.0.0.1:/export']);
    await gw.restart('kill9');
    assert.deepEqual(
      await dump(gw.server.mountPort),
      ['127.0.0.1:/export'],
      'the mount survived the restart',
    );
    const c = await RpcClient.connect({ host: '127.0.0.1', port: gw.server.mountPort });
    try {
      await c.call(MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES.MOUNTPROC3_UMNT, Buffer.from('/export'));
    } finally {
      c.close();
    }
    await gw.restart('sigterm');
    assert.deepEqual(await dump(gw.server.mountPort), []);
  });
});
