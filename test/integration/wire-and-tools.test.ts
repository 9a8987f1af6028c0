import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { describeProblems, parseExportsFile } from '../../src/config/index.js';
import { MemoryMountList, MountService, mountPrograms } from '../../src/mount/index.js';
import { ownRegistrations, type Portmapper, startPortmapper } from '../../src/portmap/index.js';
import { RpcClient } from '../../src/rpc/client.js';
import { RpcServer } from '../../src/rpc/server.js';
import type { ProgramVersion } from '../../src/rpc/types.js';
import { decodeVoid, encodeVoid } from '../../src/xdr/codec.js';
import { MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES } from '../../src/xdr/generated/mount.js';
import { analyseCapture, type Capture, type RpcPorts, startCapture } from '../helpers/tshark.js';

const run = promisify(execFile);
const HOST = '127.0.0.1';
const NFS_PROGRAM = 100003;
const NFS_V3 = 3;

/** Stands in for the NFS program until it exists: only NULL, so the tools can see it answer. */
const nfsNullOnly: ProgramVersion = {
  prog: NFS_PROGRAM,
  vers: NFS_V3,
  procedures: new Map([
    [
      0,
      {
        codec: {
          proc: 0,
          name: 'NFSPROC3_NULL',
          decodeArgs: decodeVoid,
          encodeArgs: encodeVoid,
          decodeRes: decodeVoid,
          encodeRes: encodeVoid,
        },
        idempotent: true,
        handle: () => undefined,
      },
    ],
  ]),
};

async function tool(command: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: 20_000 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    assert.fail(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('the portmapper and MOUNT service, seen by rpcinfo, showmount and tshark', () => {
  const logger = pino({ level: 'silent' });
  const servers: RpcServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'nfsgate-wire-'));
  let portmapper: Portmapper | undefined;
  let capture: Capture | undefined;
  let ports: RpcPorts;
  let nfsPort = 0;
  let mountPort = 0;

  before(async () => {
    const config = parseExportsFile(`${dir} 127.0.0.1/32(rw,insecure,name=/export) 10.0.0.0/8(ro)\n`);
    if (!config.ok) assert.fail(describeProblems(config.problems));
    const nfs = new RpcServer({ logger });
    nfs.register(nfsNullOnly);
    const mount = new RpcServer({ logger });
    const service = new MountService({
      exports: () => config.value.exports,
      mounts: new MemoryMountList(),
      resolveMountPath: async () => ({ fh: Buffer.alloc(32, 7) }),
      logger,
    });
    for (const program of mountPrograms(service)) mount.register(program);
    servers.push(nfs, mount);
    nfsPort = await nfs.listenTcp(HOST, 0);
    await nfs.listenUdp(HOST, nfsPort);
    mountPort = await mount.listenTcp(HOST, 0);
    await mount.listenUdp(HOST, mountPort);
    ports = { tcp: [111, nfsPort, mountPort], udp: [111, nfsPort, mountPort] };
    capture = await startCapture(join(dir, 'capture.pcapng'), ports);
    const started = await startPortmapper({
      host: HOST,
      logger,
      registrations: [
        ...ownRegistrations(HOST, { tcp: nfsPort, udp: nfsPort }, [{ prog: NFS_PROGRAM, vers: NFS_V3 }]),
        ...ownRegistrations(HOST, { tcp: mountPort, udp: mountPort }, [
          { prog: MOUNT_PROGRAM, vers: 1 },
          { prog: MOUNT_PROGRAM, vers: MOUNT_V3 },
        ]),
      ],
    });
    if (!started.ok) {
      assert.fail(
        `no embedded portmapper on ${HOST}:111 (is the port in use by something else?): ${started.error}`,
      );
    }
    portmapper = started.portmapper;
    if (portmapper.kind !== 'embedded') {
      await portmapper.close();
      assert.fail(
        'port 111 on 127.0.0.1 is in use: stop the system rpcbind (or whatever holds it) to run this test',
      );
    }
  });

  after(async () => {
    await capture?.stop();
    await portmapper?.close();
    for (const s of servers) await s.close();
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('rpcinfo -p lists the portmapper, nfs 3 and mountd 3 on tcp and udp', async () => {
    const out = await tool('rpcinfo', '-p', HOST);
    const rows = out
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((r) => r.length >= 4);
    const has = (prog: number, vers: number, proto: string, port: number) =>
      rows.some(
        (r) => r[0] === String(prog) && r[1] === String(vers) && r[2] === proto && r[3] === String(port),
      );
    for (const proto of ['tcp', 'udp']) {
      assert.ok(has(100000, 2, proto, 111), `portmapper v2 ${proto}\n${out}`);
      assert.ok(has(NFS_PROGRAM, 3, proto, nfsPort), `nfs 3 ${proto}\n${out}`);
      assert.ok(has(MOUNT_PROGRAM, 3, proto, mountPort), `mountd 3 ${proto}\n${out}`);
    }
    assert.match(out, /\bnfs\b/);
    assert.match(out, /\bmountd\b/);
  });

  it('rpcinfo finds nfs 3 over tcp and udp, and mountd 3 over tcp, ready and waiting', async () => {
    assert.match(await tool('rpcinfo', '-t', HOST, 'nfs', '3'), /program 100003 version 3 ready and waiting/);
    assert.match(await tool('rpcinfo', '-u', HOST, 'nfs', '3'), /program 100003 version 3 ready and waiting/);
    assert.match(
      await tool('rpcinfo', '-t', HOST, 'mountd', '3'),
      /program 100005 version 3 ready and waiting/,
    );
  });

  it('rpcinfo (rpcbind v3/v4 DUMP) lists the registrations with universal addresses', async () => {
    const out = await tool('rpcinfo', HOST);
    assert.match(
      out,
      new RegExp(`100003\\s+3\\s+tcp\\s+127\\.0\\.0\\.1\\.${nfsPort >> 8}\\.${nfsPort & 255}\\s+nfs`),
    );
    assert.match(out, /100000\s+4\s+tcp\s+127\.0\.0\.1\.0\.111\s+portmapper/);
  });

  it('showmount -e lists the export by its MOUNT name with its clients', async () => {
    const out = await tool('showmount', '-e', HOST);
    assert.match(out, /^Export list for 127\.0\.0\.1:$/m);
    assert.match(out, /^\/export\s+127\.0\.0\.1\/32,10\.0\.0\.0\/8$/m);
  });

  it('showmount -a lists a mount made with MNT', async () => {
    const client = await RpcClient.connect({
      host: HOST,
      port: mountPort,
      auth: { flavor: 1, stamp: 1, machinename: Buffer.from('test'), uid: 0, gid: 0, gids: [] },
    });
    try {
      const res = await client.call(
        MOUNT_PROGRAM,
        MOUNT_V3,
        MOUNT_V3_PROCEDURES.MOUNTPROC3_MNT,
        Buffer.from('/export'),
      );
      assert.equal(res.fhs_status, 0);
    } finally {
      await client.close();
    }
    const out = await tool('showmount', '-a', HOST);
    assert.match(out, /^All mount points on 127\.0\.0\.1:$/m);
    assert.match(out, /^127\.0\.0\.1:\/export$/m);
  });

  it('puts nothing malformed on the wire, and answers every call', async () => {
    await capture!.stop();
    const wire = await analyseCapture(capture!.file, ports);
    assert.deepEqual(wire.problems, [], 'malformed packets or expert errors');
    assert.deepEqual(wire.unanswered, [], 'calls without a reply');
    assert.equal(wire.orphanReplies, 0);
    const seen = new Set(wire.calls.map((c) => `${c.transport} ${c.program}.${c.version}.${c.procedure}`));
    const expected = [
      'tcp 100000.2.4', // rpcinfo -p: PMAPPROC_DUMP
      'tcp 100000.3.4', // rpcinfo: RPCBPROC_DUMP
      'tcp 100000.4.3', // RPCBPROC_GETADDR
      'udp 100000.4.3',
      'tcp 100003.3.0',
      'udp 100003.3.0',
      'tcp 100005.3.0',
      'tcp 100005.3.1', // MNT
      'tcp 100005.3.2', // DUMP
      'tcp 100005.3.5', // EXPORT
    ];
    for (const call of expected)
      assert.ok(seen.has(call), `call ${call} captured (saw ${[...seen].join(', ')})`);
    assert.equal(wire.replies, wire.calls.length);
  });
});
