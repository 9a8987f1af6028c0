import { ServerProcess } from '../test/helpers/server-process.js';
import { runCatalogScale } from './catalog-scale.js';
import { GaneshaProcess } from './ganesha.js';
import { runHandles } from './handles.js';
import type { Bounds } from './measure.js';
import { memoryOf, runNfsServer } from './nfs-server.js';
import { runNfsbench } from './nfsbench.js';
import { type BenchResult, comparison, jsonLine, table, targets } from './result.js';
import { runRpcNull } from './rpc-null.js';
import { runXdr } from './xdr.js';

/**
 * `npm run bench [group...]`: every group by default, or only the named ones
 * (xdr, handles, rpc, nfs, nfsbench, ganesha, catalog). `catalog` builds a catalog of a million objects
 * (about 45 s and 130 MiB of disk; CATALOG_OBJECTS changes the size) and checks its targets.
 * `ganesha` runs the nfs workload against NFS-Ganesha in the same run, for ratios (it needs rpcbind: `npm run bench:ganesha` provides one in a private namespace). One JSON line per result on stdout as it comes, then a table.
 * Environment: BENCH_FILE_MIB (READ/WRITE file size, 256), NFSBENCH (path of the nfsbench client),
 * NFSBENCH_ARGS (its options, replacing the small defaults).
 */
const CPU_BOUNDS: Bounds = { maxMs: 1_500, maxIterations: 5_000_000 };
const CALL_BOUNDS: Bounds = { maxMs: 3_000, maxIterations: 1_000_000 };
const QUEUE_DEPTHS = [1, 32] as const;
const GROUPS = ['xdr', 'handles', 'rpc', 'nfs', 'nfsbench', 'ganesha', 'catalog'] as const;
type Group = (typeof GROUPS)[number];
/** Groups run when none is named: Ganesha needs a package and rpcbind, so it is asked for by name. */
const DEFAULT_GROUPS = GROUPS.filter((g) => g !== 'ganesha');

function selectedGroups(argv: readonly string[]): ReadonlySet<Group> {
  const unknown = argv.filter((a) => !(GROUPS as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark group(s) ${unknown.join(', ')}; known: ${GROUPS.join(', ')}`);
  return new Set(argv.length > 0 ? (argv as Group[]) : DEFAULT_GROUPS);
}

function nfsOptions() {
  return {
    bounds: CALL_BOUNDS,
    queueDepths: QUEUE_DEPTHS,
    fileMiB: Number(process.env.BENCH_FILE_MIB ?? 256),
  };
}

async function main(): Promise<void> {
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

  const nfsbench = process.env.NFSBENCH;
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

  if (groups.has('ganesha')) {
    const ganesha = await GaneshaProcess.start();
    try {
      await runNfsServer(emit, ganesha, nfsOptions(), 'ganesha');
      const m = memoryOf(ganesha.pid);
      emit({
        group: 'ganesha',
        name: 'server RSS after the run',
        value: m.rssMiB,
        unit: 'MiB',
        extra: { peak_mib: m.peakMiB },
      });
    } finally {
      await ganesha.stop();
    }
  }

  console.log(`\n${table(results)}`);
  const verdicts = targets(results);
  if (verdicts.length > 0) console.log(`\n${verdicts.join('\n')}`);
  if (groups.has('nfs') && groups.has('ganesha')) console.log(`\n${comparison(results, 'nfs', 'ganesha')}`);
}

await main();
