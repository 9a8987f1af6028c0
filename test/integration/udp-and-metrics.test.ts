import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RpcClient } from '../../src/rpc/client.js';
import { NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '../../src/xdr/generated/nfs3.js';
import { Nfs3Client, ok } from '../helpers/nfs3-client.js';
import { freePort, ServerProcess } from '../helpers/server-process.js';

const ROOT = { flavor: 1 as const, stamp: 0, machinename: Buffer.from('test'), uid: 0, gid: 0, gids: [] };

describe('NFS over UDP and the operator endpoints', () => {
  let server: ServerProcess;
  let client: Nfs3Client;
  let metricsPort: number;
  let root: Buffer;

  before(async () => {
    metricsPort = await freePort();
    server = await ServerProcess.start({
      options: 'rw,no_root_squash,insecure',
      extraArgs: ['--metrics', `127.0.0.1:${metricsPort}`],
    });
    writeFileSync(join(server.exportDir, 'big.bin'), Buffer.alloc(200_000, 7));
    client = await Nfs3Client.connect({ nfsPort: server.nfsPort, mountPort: server.mountPort });
    root = await client.mount('/export');
  });
  after(async () => {
    await client?.close();
    await server?.cleanup();
  });

  it('advertises transfers that fit a datagram over UDP, and 1 MiB over TCP', async () => {
    const udp = await RpcClient.connect({
      host: '127.0.0.1',
      port: server.nfsPort,
      transport: 'udp',
      auth: ROOT,
    });
    try {
      const res = await udp.call(NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES.NFSPROC3_FSINFO, {
        fsroot: { data: root },
      });
      const info = ok(res, 'FSINFO over UDP').resok;
      assert.equal(info.rtmax, 32768);
      assert.equal(info.wtmax, 32768);
      const big = await client.lookupPath(root, 'big.bin');
      const read = await udp.call(NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES.NFSPROC3_READ, {
        file: { data: big },
        offset: 0n,
        count: 1 << 20,
      });
      const got = ok(read, 'READ over UDP asking for 1 MiB').resok;
      assert.equal(got.count, 32768, 'a short read that fits one datagram');
      assert.equal(got.eof, false);
    } finally {
      udp.close();
    }
    const tcp = ok(await client.fsinfo(root), 'FSINFO over TCP').resok;
    assert.equal(tcp.rtmax, 1 << 20);
  });

  it('serves Prometheus metrics with per-procedure calls and handle refusals by reason', async () => {
    await client.getattr(root);
    const forged = Buffer.from(root);
    forged[31]! ^= 0x80;
    assert.equal((await client.getattr(forged)).status, 70, 'NFS3ERR_STALE');
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /nfsgate_rpc_calls_total\{outcome="success",procedure="NFSPROC3_GETATTR"\} \d+/);
    assert.match(text, /nfsgate_rpc_duration_seconds_bucket\{procedure="NFSPROC3_GETATTR",le="[^"]+"\} \d+/);
    assert.match(text, /nfsgate_handle_refusals_total\{reason="bad-tag"\} 1/);
    assert.match(text, /nfsgate_keys\{state="active"\} 1/);
    assert.match(text, /nfsgate_mounts 1/);
    assert.match(text, /nfsgate_up 1/);
  });

  it('answers /healthz with 200 while serving', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok\n');
  });
});
