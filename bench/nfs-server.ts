import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fh, handleOf, Nfs3Client, ok } from '../test/helpers/nfs3-client.js';
import { type Bounds, loopAsync, timed } from './measure.js';
import type { Emit } from './result.js';

const MIB = 1024 * 1024;
const LOOKUP_FILES = 1000;
const IO_QUEUE_DEPTH = 8;
/** UNSTABLE, as clients write before a COMMIT. */
const UNSTABLE = 0;

export interface NfsBenchOptions {
  readonly bounds: Bounds;
  readonly queueDepths: readonly number[];
  readonly fileMiB: number;
}

/** Resident and peak resident memory of a process, from /proc. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

const must = (res: { status: number }, what: string) => {
  if (res.status !== 0) throw new Error(`${what}: nfsstat3 ${res.status}`);
};

/** Each MiB of the test file is filled with a byte of its own, so a misplaced block is caught on READ. */
const fillOf = (chunk: number) => (chunk * 37 + 11) & 0xff;

/** An NFSv3 server to measure: where it listens, what it exports and where that lies on this host. */
export interface NfsTarget {
  readonly nfsPort: number;
  readonly mountPort: number;
  /** The MOUNT path. */
  readonly name: string;
  readonly exportDir: string;
}

/**
 * A real server child (nfsgate, or another server for comparison), driven over one connection by the
 * project's NFSv3 client; results are reported under `group`.
 */
export async function runNfsServer(
  emit: Emit,
  server: NfsTarget,
  o: NfsBenchOptions,
  group = 'nfs',
): Promise<void> {
  const client = await Nfs3Client.connect({
    nfsPort: server.nfsPort,
    mountPort: server.mountPort,
    privileged: false,
  });
  try {
    const root = await client.mount(server.name);

    for (const qd of o.queueDepths) {
      const r = await loopAsync(async () => must(await client.getattr(root), 'GETATTR'), qd, o.bounds);
      emit({
        group,
        name: `GETATTR qd${qd}`,
        value: r.opsPerSec,
        unit: 'calls/s',
        extra: { calls: r.ops, p50_us: r.p50Us, p99_us: r.p99Us },
      });
    }

    // Files made behind the server's back: the first LOOKUP of each adds its catalog row (a durable
    // write, group-committed), later ones find it.
    const dirPath = join(server.exportDir, 'lookup');
    mkdirSync(dirPath, { recursive: true });
    const names = Array.from({ length: LOOKUP_FILES }, (_, i) => `f${String(i).padStart(6, '0')}`);
    for (const n of names) writeFileSync(join(dirPath, n), '');
    const dir = ok(await client.lookup(root, 'lookup'), 'LOOKUP lookup').resok.object.data;
    const lookup = async (i: number) => must(await client.lookup(dir, names[i % LOOKUP_FILES]!), 'LOOKUP');
    const firstQd = o.queueDepths[o.queueDepths.length - 1]!;
    const cold = await loopAsync(lookup, firstQd, { maxMs: o.bounds.maxMs * 4, maxIterations: LOOKUP_FILES });
    emit({
      group,
      name: `LOOKUP first time qd${firstQd}`,
      value: cold.opsPerSec,
      unit: 'calls/s',
      extra: { calls: cold.ops, p50_us: cold.p50Us, p99_us: cold.p99Us },
    });
    for (const qd of o.queueDepths) {
      const r = await loopAsync(lookup, qd, o.bounds);
      emit({
        group,
        name: `LOOKUP qd${qd}`,
        value: r.opsPerSec,
        unit: 'calls/s',
        extra: { calls: r.ops, p50_us: r.p50Us, p99_us: r.p99Us },
      });
    }

    await transferFile(emit, client, root, o.fileMiB, group);
  } finally {
    await client.close();
  }
}

async function transferFile(
  emit: Emit,
  client: Nfs3Client,
  root: Fh,
  fileMiB: number,
  group: string,
): Promise<void> {
  const file = handleOf(ok(await client.create(root, 'bench.dat'), 'CREATE bench.dat').resok.obj);

  const write = await timed(async () => {
    await inLanes(fileMiB, async (chunk, lane) => {
      // A lane's buffer is refilled only after its previous WRITE was answered.
      const data = lane.fill(fillOf(chunk));
      const res = ok(await client.write(file, chunk * MIB, data, UNSTABLE), `WRITE at ${chunk} MiB`).resok;
      if (res.count !== MIB) throw new Error(`WRITE at ${chunk} MiB: short write of ${res.count}`);
    });
    must(await client.commit(file), 'COMMIT');
  });
  emit({
    group,
    name: `WRITE ${fileMiB} MiB UNSTABLE + COMMIT`,
    value: fileMiB / write.seconds,
    unit: 'MiB/s',
    extra: { seconds: write.seconds, bs: MIB, qd: IO_QUEUE_DEPTH },
  });

  const read = await timed(() =>
    inLanes(fileMiB, async (chunk) => {
      const res = ok(await client.read(file, chunk * MIB, MIB), `READ at ${chunk} MiB`).resok;
      const d = res.data;
      if (d.length !== MIB || d[0] !== fillOf(chunk) || d[MIB - 1] !== fillOf(chunk))
        throw new Error(`READ at ${chunk} MiB: wrong data (length ${d.length})`);
    }),
  );
  emit({
    group,
    name: `READ ${fileMiB} MiB`,
    value: fileMiB / read.seconds,
    unit: 'MiB/s',
    extra: { seconds: read.seconds, bs: MIB, qd: IO_QUEUE_DEPTH, source: 'server page cache' },
  });
  must(await client.remove(root, 'bench.dat'), 'REMOVE bench.dat');
}

/** Runs `work` for chunks 0..count-1 with IO_QUEUE_DEPTH in flight, each lane owning one 1 MiB buffer. */
async function inLanes(count: number, work: (chunk: number, lane: Buffer) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    const buffer = Buffer.allocUnsafe(MIB);
    while (next < count) await work(next++, buffer);
  };
  await Promise.all(Array.from({ length: IO_QUEUE_DEPTH }, lane));
}
