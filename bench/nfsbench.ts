import { execFile } from 'node:child_process';
import type { ServerProcess } from '../test/helpers/server-process.js';
import type { BenchResult, Emit } from './result.js';

/** Small enough to finish in well under a minute against this server, fixtures included. */
const DEFAULT_ARGS = [
  '-t',
  '1',
  '--warmup',
  '0.3',
  '-s',
  '64',
  '-n',
  '500',
  '--lookup-files',
  '500',
  '--readdir-entries',
  '2000',
];
const TIMEOUT_MS = 150_000;

interface NfsbenchLine {
  type: string;
  workload: string;
  phase: string;
  errors: number;
  verify_errors: number;
  verify: string;
  lat_us?: { p50: number; p99: number };
  cpu?: { server?: number };
  [unit: string]: unknown;
}

/** The headline rate of an nfsbench result line, in the unit its workload counts. */
function rateOf(d: NfsbenchLine): { value: number; unit: BenchResult['unit'] } {
  if (typeof d.mib_per_s === 'number' && (d.workload === 'read' || d.workload === 'write'))
    return { value: d.mib_per_s, unit: 'MiB/s' };
  for (const key of ['entries_per_s', 'files_per_s', 'ops_per_s'])
    if (typeof d[key] === 'number') return { value: d[key] as number, unit: 'ops/s' };
  return { value: Number.NaN, unit: 'ops/s' };
}

/**
 * Runs the external verifying libnfs client against the child server. Its own JSON lines are passed
 * through untouched (`raw`), and each result also becomes a row of the table.
 */
export function runNfsbench(
  emit: Emit,
  raw: (line: string) => void,
  binary: string,
  server: ServerProcess,
): Promise<void> {
  const extra = process.env.NFSBENCH_ARGS?.split(/\s+/).filter((a) => a.length > 0) ?? DEFAULT_ARGS;
  const url = `nfs://127.0.0.1${server.name}?version=3&nfsport=${server.nfsPort}&mountport=${server.mountPort}`;
  const args = [...extra, '-l', 'nfsgate', ...(server.pid ? ['--server-pid', String(server.pid)] : []), url];
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        raw(line);
        const d = JSON.parse(line) as NfsbenchLine;
        if (d.type !== 'result') continue;
        const { value, unit } = rateOf(d);
        emit({
          group: 'nfsbench',
          name: `${d.workload} ${d.phase}`,
          value,
          unit,
          extra: {
            p50_us: d.lat_us?.p50 ?? Number.NaN,
            p99_us: d.lat_us?.p99 ?? Number.NaN,
            server_cpu: d.cpu?.server ?? Number.NaN,
            errors: d.errors + d.verify_errors,
            verify: d.verify,
          },
        });
      }
      // Exit status 1 means errors or failed verification; the rows above say where.
      const code = error ? ((error as { code?: number | string }).code ?? 'killed') : 0;
      emit({
        group: 'nfsbench',
        name: 'exit status',
        value: typeof code === 'number' ? code : -1,
        unit: 'flag',
        extra: { status: String(code), stderr_tail: stderr.trim().split('\n').slice(-1)[0] ?? '' },
      });
      resolve();
    });
  });
}
