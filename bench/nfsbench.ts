import { execFile } from 'node:child_process';
import type { ServerProcess } from '../test/helpers/server-process.js';
import type { NfsTarget } from './nfs-server.js';
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

/** One `result` line of nfsbench (see the header of bench/nfsbench/nfsbench.c). */
export interface NfsbenchLine {
  type: string;
  label: string;
  workload: string;
  phase: string;
  qd: number;
  errors: number;
  verify_errors: number;
  verify: string;
  lat_us?: { p50: number; p99: number };
  cpu?: { server?: number };
  first_error?: string;
  [unit: string]: unknown;
}

export interface NfsbenchRun {
  readonly results: NfsbenchLine[];
  /** 0: no errors; 1: errors or failed verification (the results say where); 2: could not run. */
  readonly status: number;
  readonly stderrTail: string;
}

/** The headline rate of an nfsbench result line, in the unit its workload counts. */
export function rateOf(d: NfsbenchLine): { value: number; unit: BenchResult['unit'] } {
  if (typeof d.mib_per_s === 'number' && (d.workload === 'read' || d.workload === 'write'))
    return { value: d.mib_per_s, unit: 'MiB/s' };
  for (const key of ['entries_per_s', 'files_per_s', 'ops_per_s'])
    if (typeof d[key] === 'number') return { value: d[key] as number, unit: 'ops/s' };
  return { value: Number.NaN, unit: 'ops/s' };
}

/** The nfs:// URL nfsbench mounts, with the ports given so no portmapper is asked. */
export function nfsUrl(target: NfsTarget): string {
  return `nfs://127.0.0.1${target.name}?version=3&nfsport=${target.nfsPort}&mountport=${target.mountPort}`;
}

/**
 * Runs nfsbench once against `target` with `args`; every JSON line it prints goes to `raw` as it is,
 * and its result lines are returned.
 */
export function runNfsbenchOnce(
  binary: string,
  target: NfsTarget,
  args: readonly string[],
  raw: (line: string) => void,
  timeoutMs = TIMEOUT_MS,
): Promise<NfsbenchRun> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [...args, nfsUrl(target)],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const results: NfsbenchLine[] = [];
        for (const line of stdout.split('\n')) {
          if (!line.startsWith('{')) continue;
          raw(line);
          const d = JSON.parse(line) as NfsbenchLine;
          if (d.type === 'result') results.push(d);
        }
        const code = error ? (error as { code?: number | string }).code : 0;
        resolve({
          results,
          status: typeof code === 'number' ? code : 2,
          stderrTail: stderr.trim().split('\n').slice(-1)[0] ?? '',
        });
      },
    );
  });
}

/**
 * Runs the verifying libnfs client against the child server (group `nfsbench`). Its own JSON lines are
 * passed through untouched (`raw`), and each result also becomes a row of the table.
 */
export async function runNfsbench(
  emit: Emit,
  raw: (line: string) => void,
  binary: string,
  server: ServerProcess,
): Promise<void> {
  const extra = process.env.NFSBENCH_ARGS?.split(/\s+/).filter((a) => a.length > 0) ?? DEFAULT_ARGS;
  const args = [...extra, '-l', 'nfsgate', ...(server.pid ? ['--server-pid', String(server.pid)] : [])];
  const run = await runNfsbenchOnce(binary, server, args, raw);
  for (const d of run.results) {
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
  emit({
    group: 'nfsbench',
    name: 'exit status',
    value: run.status,
    unit: 'flag',
    extra: { status: String(run.status), stderr_tail: run.stderrTail },
  });
}
