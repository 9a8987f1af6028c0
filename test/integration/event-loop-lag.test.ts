import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, Nfs3Client, ok } from '../helpers/nfs3-client.js';
import { freePort, ServerProcess } from '../helpers/server-process.js';

/**
 * One slow filesystem call must not stall every client: the server's event loop only parses,
 * dispatches and encodes (DESIGN.md, invariant 8). Each phase below does work that is slow for the
 * filesystem, through a real server process, and reads the server's event-loop histogram
 * (`nfsgate_event_loop_block_seconds`) before and after: no tick of its watch timer may have run more
 * than BLOCK_LIMIT_S late meanwhile.
 *
 * The target is 20 ms (TARGET_S), and every phase prints how many blocks exceeded it. The limit the test
 * enforces is 100 ms: what the engine holds today on a busy 2-core machine (largest blocks seen: 51 ms
 * listing, 23 ms searching, 35 ms creating; the synchronous engine before it: 1751 ms, 6899 ms and
 * 155 ms). What still exceeds 20 ms: V8 garbage collection while a 100,000-entry listing and its
 * catalog rows are built, and the catalog's SQLite writes, which run on the event loop and can wait
 * for the kernel's writeback throttling when another process dirties the same filesystem.
 */
const BIG_DIRECTORY_ENTRIES = 100_000;
const CREATED_FILES = 200;
const TARGET_S = 0.02;
const BLOCK_LIMIT_S = 0.1;
/** The host's writer: 64 MiB written and fsync'd, again and again, over a 256 MiB file. */
const DIRTY_CHUNK_MIB = 64;
const DIRTY_FILE_CHUNKS = 4;
/** The writer stops by itself after this long, whatever happens to the test. */
const DIRTY_LIMIT_S = 90;

interface LoopBlocks {
  /** Cumulative count per bucket upper bound, in seconds (+Inf included). */
  readonly buckets: ReadonlyMap<number, number>;
  readonly count: number;
  readonly maxSeconds: number;
}

async function loopBlocks(metricsPort: number): Promise<LoopBlocks> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^nfsgate_event_loop_block_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm))
    buckets.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  const count = /^nfsgate_event_loop_block_seconds_count (\d+)$/m.exec(text);
  const max = /^nfsgate_event_loop_block_max_seconds (\S+)$/m.exec(text);
  assert.ok(
    count && max && buckets.has(TARGET_S) && buckets.has(BLOCK_LIMIT_S),
    'the server exports the event-loop metrics',
  );
  return { buckets, count: Number(count[1]), maxSeconds: Number(max[1]) };
}

const over = (b: LoopBlocks, s: number) => b.count - (b.buckets.get(s) ?? 0);

/** What happened to the loop between two readings, printed for the record, then the assertion. */
function assertNoLongBlock(phase: string, before: LoopBlocks, after: LoopBlocks): void {
  const longBlocks = over(after, BLOCK_LIMIT_S) - over(before, BLOCK_LIMIT_S);
  const overTarget = over(after, TARGET_S) - over(before, TARGET_S);
  // Ticks each bucket gained during the phase, by upper bound.
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const inBucket = (b: LoopBlocks, i: number) =>
    (b.buckets.get(bounds[i]!) ?? 0) - (i > 0 ? (b.buckets.get(bounds[i - 1]!) ?? 0) : 0);
  const gained = bounds
    .map((le, i) => ({ le, n: inBucket(after, i) - inBucket(before, i) }))
    .filter((x) => x.n > 0);
  const spread = gained
    .map((x) => `${Number.isFinite(x.le) ? `<=${x.le * 1000}` : `>${bounds.at(-2)! * 1000}`}ms:${x.n}`)
    .join(' ');
  // The gauge is the largest block since the server started: it names this phase's largest only if it
  // grew during the phase; otherwise the highest bucket that gained a tick bounds it.
  const top = gained.at(-1)?.le ?? 0;
  const largest =
    after.maxSeconds > before.maxSeconds
      ? `${(after.maxSeconds * 1000).toFixed(1)} ms`
      : `at most ${(top * 1000).toFixed(1)} ms`;
  console.log(
    `event loop during ${phase}: largest block ${largest}, ${overTarget} over the ${TARGET_S * 1000} ms target, ` +
      `${after.count - before.count} ticks (${spread})`,
  );
  assert.equal(
    longBlocks,
    0,
    `${phase}: the event loop was held for more than ${BLOCK_LIMIT_S * 1000} ms ${longBlocks} time(s), largest ${largest}`,
  );
}

/**
 * A process of its own that keeps the filesystem's writeback busy: 64 MiB written, then fsync'd, in a
 * loop, until killed or DIRTY_LIMIT_S is up. Resolves once its first chunk reached the disk.
 */
function startHostWriter(file: string): Promise<ChildProcess> {
  const script = `
    const fs = require('node:fs');
    const chunk = Buffer.alloc(${DIRTY_CHUNK_MIB} * 1024 * 1024, 0x5a);
    const fd = fs.openSync(${JSON.stringify(file)}, 'w');
    const stopAt = Date.now() + ${DIRTY_LIMIT_S * 1000};
    for (let i = 0; Date.now() < stopAt; i++) {
      fs.writeSync(fd, chunk, 0, chunk.length, (i % ${DIRTY_FILE_CHUNKS}) * chunk.length);
      fs.fsyncSync(fd);
      if (i === 0) process.stdout.write('synced\\n');
    }`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the host writer exited early (${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

describe('the event loop is never held for long by slow filesystem work', () => {
  let server: ServerProcess;
  let client: Nfs3Client;
  let metricsPort: number;
  let root: Fh;

  const connect = async () => {
    await client?.close();
    client = await Nfs3Client.connect({ nfsPort: server.nfsPort, mountPort: server.mountPort });
    root = await client.mount(server.name);
  };

  before(async () => {
    metricsPort = await freePort();
    server = await ServerProcess.start({
      options: 'rw,no_root_squash',
      extraArgs: ['--metrics', `127.0.0.1:${metricsPort}`],
    });
    await connect();
  });
  after(async () => {
    await client?.close();
    await server?.cleanup();
  });

  it('while a client lists a 100,000-entry directory made on the host with READDIRPLUS, every page', async () => {
    const dir = join(server.exportDir, 'huge');
    mkdirSync(dir);
    for (let i = 0; i < BIG_DIRECTORY_ENTRIES; i++)
      closeSync(openSync(join(dir, `entry-${String(i).padStart(6, '0')}`), 'wx'));
    const huge = await client.lookupPath(root, 'huge');

    const before = await loopBlocks(metricsPort);
    const listing = await client.listAll(huge, { plus: true, count: 65536, maxcount: 1 << 20 });
    const after = await loopBlocks(metricsPort);

    assert.equal(listing.entries.length, BIG_DIRECTORY_ENTRIES);
    console.log(`READDIRPLUS: ${listing.entries.length} entries in ${listing.pages} pages`);
    assertNoLongBlock('the READDIRPLUS listing of 100,000 entries', before, after);
  });

  it('while the server searches the export for a file moved several levels away behind its back', async () => {
    const inbox = handleOf(ok(await client.mkdir(root, 'inbox'), 'MKDIR inbox').resok.obj);
    const report = await client.writeFile(inbox, 'report.txt', Buffer.from('quarterly report\n'));
    const fileid = ok(await client.getattr(report)).resok.obj_attributes.fileid;

    await client.close();
    await server.stop();
    const deep = join(server.exportDir, 'archive', '2026', 'q1', 'reports');
    mkdirSync(deep, { recursive: true });
    renameSync(join(server.exportDir, 'inbox', 'report.txt'), join(deep, 'report.txt'));
    // Without kernel file handles the server cannot open the file directly: it searches the last
    // directory it knew, then the export breadth first, the 100,000-entry directory included.
    await server.restart({ env: { NFSGATE_NO_KERNEL_HANDLES: '1' } });
    await connect();

    const before = await loopBlocks(metricsPort);
    const found = ok(await client.getattr(report), 'GETATTR of the moved file').resok;
    const after = await loopBlocks(metricsPort);

    assert.equal(found.obj_attributes.fileid, fileid);
    assert.ok(
      server.logLines().some((l) => l.msg?.includes('found again') && l.how === 'export-search'),
      'the server found the file by searching the export',
    );
    assertNoLongBlock('the search for a moved file', before, after);
  });

  it('while a client creates 200 files and a host process dirties and fsyncs a large file', async () => {
    await client.close();
    await server.restart({ env: {} });
    await connect();
    const dir = handleOf(ok(await client.mkdir(root, 'created'), 'MKDIR created').resok.obj);
    // The same filesystem as the export, outside it.
    const writer = await startHostWriter(join(server.outsideDir, 'dirty.bin'));
    try {
      const before = await loopBlocks(metricsPort);
      for (let i = 0; i < CREATED_FILES; i++) ok(await client.create(dir, `file-${i}`), `CREATE file-${i}`);
      const after = await loopBlocks(metricsPort);
      assertNoLongBlock('200 CREATEs under a host fsync storm', before, after);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
