import pino from 'pino';
import { RpcClient } from '../src/rpc/client.js';
import { programVersion } from '../src/rpc/program.js';
import { RpcServer } from '../src/rpc/server.js';
import { NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '../src/xdr/generated/nfs3.js';
import { type Bounds, loopAsync } from './measure.js';
import type { Emit } from './result.js';

const NULL = NFS_V3_PROCEDURES.NFSPROC3_NULL;

/**
 * The RPC layer alone (record marking, call header, dispatch, reply) in this process, over one
 * loopback TCP connection: the ceiling for any procedure, since NULL does no work.
 */
export async function runRpcNull(emit: Emit, bounds: Bounds, queueDepths: readonly number[]): Promise<void> {
  const server = new RpcServer({ logger: pino({ level: 'silent' }) });
  server.register(
    programVersion(NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES, {
      NFSPROC3_NULL: { idempotent: true, handle: () => undefined },
    }),
  );
  const port = await server.listenTcp('127.0.0.1', 0);
  const client = await RpcClient.connect({ host: '127.0.0.1', port });
  try {
    for (const qd of queueDepths) {
      const r = await loopAsync(() => client.call(NFS_PROGRAM, NFS_V3, NULL, undefined), qd, bounds);
      emit({
        group: 'rpc',
        name: `NULL qd${qd} (in-process server)`,
        value: r.opsPerSec,
        unit: 'calls/s',
        extra: { calls: r.ops, p50_us: r.p50Us, p99_us: r.p99Us },
      });
    }
  } finally {
    await client.close();
    await server.close();
  }
}
