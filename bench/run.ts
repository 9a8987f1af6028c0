import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from '../test/helpers/repo.js';
import { ServerProcess } from '../test/helpers/server-process.js';
import { runCatalogScale } from './catalog-scale.js';
import { buildClientTools } from './client-tools.js';
import { runHandles } from './handles.js';
import type { Bounds } from './measure.js';
import { memoryOf, runNfsServer } from './nfs-server.js';
import { runNfsbench } from './nfsbench.js';
import { type BenchResult, jsonLine, table, targets } from './result.js';
import { runRpcNull } from './rpc-null.js';
import { compareWithGanesha } from './vs-ganesha.js';
import { runXdr } from './xdr.js';

/**
 * `npm run bench [group...]`: every group by default, or only the named ones (xdr, handles, rpc, nfs,
 * nfsbench, catalog). `catalog` builds a catalog of a million objects (about 45 s and 130 MiB of disk;
 * CATALOG_OBJECTS changes the size) and checks its targets. One JSON line per result on stdout as it comes, then a table.
 * `npm run bench -- --vs ganesha [--rounds N]`: nfsgate against NFS-Ganesha with nfsbench (vs-ganesha.ts).
 * Environment: BENCH_FILE_MIB (READ/WRITE file size of the nfs group, 256), NFSBENCH (another nfsbench
 * binary than the one built from bench/nfsbench), NFSBENCH_ARGS (its options, replacing the small defaults).
 */
const CPU_BOUNDS: Bounds = { maxMs: 1_500, maxIterations: 5_000_000 };
const CALL_BOUNDS: Bounds = { maxMs: 3_000, maxIterations: 1_000_000 };
const QUEUE_DEPTHS = [1, 32] as const;
const GROUPS = ['xdr', 'handles', 'rpc', 'nfs', 'nfsbench', 'catalog'] as const;
type Group = (typeof GROUPS)[number];
const DEFAULT_ROUNDS = 3;

function selectedGroups(argv: readonly string[]): ReadonlySet<Group> {
  const unknown = argv.filter((a) => !(GROUPS as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark group(s) ${unknown.join(', ')}; known: ${GROUPS.join(', ')}`);
  return new Set(argv.length > 0 ? (argv as Group[]) : GROUPS);
}

/** `--vs ganesha [--rounds N]`, or undefined when the command line names groups instead. */
function versusArgs(argv: readonly string[]): { rounds: number } | undefined {
  if (!argv.includes('--vs')) return undefined;
  let rounds = DEFAULT_ROUNDS;
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--vs' && value === 'ganesha') i++;
    else if (flag === '--rounds' && value !== undefined && /^[1-9]\d*$/.test(value)) {
      rounds = Number(value);
      i++;
    } else throw new Error(`usage: npm run bench -- --vs ganesha [--rounds N] (at ${flag} ${value ?? ''})`);
  }
  return { rounds };
}

function onPath(command: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => d && existsSync(join(d, command)));
}

/**
 * Ganesha must register with an rpcbind, so the comparison runs in a private network namespace with its
 * own (bench/side-by-side.sh re-runs this program there). Without Ganesha, nfsgate is measured alone.
 */
async function versus(rounds: number): Promise<number> {
  const built = buildClientTools();
  if (!built.ok) {
    console.error(built.error);
    return 1;
  }
  const missing = ['ganesha.nfsd', 'rpcbind', 'unshare', 'ip'].filter((c) => !onPath(c));
  if (missing.length > 0) {
    console.error(
      `NFS-Ganesha is not installed (missing ${missing.join(', ')}; apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind): measuring nfsgate alone`,
    );
    await compareWithGanesha({ rounds, withGanesha: false, tools: built.tools });
    return 0;
  }
  if (process.env.NFSGATE_BENCH_NAMESPACE !== '1') {
    if (process.getuid?.() !== 0) {
      console.error('--vs ganesha needs root (a private network namespace with its own rpcbind)');
      return 1;
    }
    const script = join(repoRoot(), 'bench', 'side-by-side.sh');
    const r = spawnSync(script, process.argv.slice(2), { stdio: 'inherit' });
    return r.status ?? 1;
  }
  await compareWithGanesha({ rounds, withGanesha: true, tools: built.tools });
  return 0;
}

function nfsOptions() {
  return {
    bounds: CALL_BOUNDS,
    queueDepths: QUEUE_DEPTHS,
    fileMiB: Number(process.env.BENCH_FILE_MIB ?? 256),
  };
}

async function main(): Promise<void> {
  const vs = versusArgs(process.argv.slice(2));
  if (vs) {
    process.exitCode = await versus(vs.rounds);
    return;
  }
  const groups = selectedGroups(process.argv.slice(2));
  const results: BenchResult[] = [];
  const emit = (r: BenchResult) => {
    results.push(r);
    console.log(jsonLine(r));
  };

  if (groups.has('xdr')) runXdr(emit, CPU_BOUNDS);
  if (groups.has('handles')) runHandles(emit, CPU_BOUNDS);
  if (groups.has('rpc')) await runRpcNull(emit, CALL_BOUNDS, QUEUE_DEPTHS);
  if (groups.has('catalog')) runCatalogScale(emit, CPU_BOUNDS);

  let nfsbench = process.env.NFSBENCH;
  if (groups.has('nfsbench') && !nfsbench) {
    const built = buildClientTools();
    if (built.ok) nfsbench = built.tools.nfsbench;
    else console.error(`${built.error}\nskipping the nfsbench group`);
  }
  if (groups.has('nfs') || (groups.has('nfsbench') && nfsbench)) {
    const server = await ServerProcess.start({ options: 'rw,no_root_squash,insecure' });
    try {
      const pid = server.pid!;
      if (groups.has('nfs')) {
        await runNfsServer(emit, server, nfsOptions());
        const m = memoryOf(pid);
        emit({
          group: 'nfs',
          name: 'server RSS after the run',
          value: m.rssMiB,
          unit: 'MiB',
          extra: { peak_mib: m.peakMiB },
        });
      }
      if (groups.has('nfsbench') && nfsbench) {
        await runNfsbench(emit, (line) => console.log(line), nfsbench, server);
        const m = memoryOf(pid);
        emit({
          group: 'nfsbench',
          name: 'server RSS after nfsbench',
          value: m.rssMiB,
          unit: 'MiB',
          extra: { peak_mib: m.peakMiB },
        });
      }
    } finally {
      await server.cleanup();
    }
  }

  console.log(`\n${table(results)}`);
  const verdicts = targets(results);
  if (verdicts.length > 0) console.log(`\n${verdicts.join('\n')}`);
}

await main();
