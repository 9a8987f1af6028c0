import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ServerProcess } from '../test/helpers/server-process.js';
import type { ClientTools } from './client-tools.js';
import { GaneshaProcess } from './ganesha.js';
import { memoryOf, type NfsTarget } from './nfs-server.js';
import { rateOf, runNfsbenchOnce } from './nfsbench.js';
import {
  type Contender,
  type Memory,
  median,
  memoryTable,
  rowsOf,
  type Sample,
  verdicts,
  verdictTable,
  workloadTable,
} from './vs-summary.js';

/**
 * nfsbench's phases, the same for every server, sized so that three rounds take a few minutes:
 * time-based phases run 0.8 s after 0.2 s of warm-up; queue depth 8 is there for the sync export's
 * target.
 */
const QUEUE_DEPTHS = [1, 8, 32];
const TIMED = ['-t', '0.8', '--warmup', '0.2'];
const MAIN_WORKLOADS = 'null,getattr,lookup,write,read,readdir,mixed';
const FILE_MIB = 64;
const LOOKUP_FILES = 500;
/** Files of the directory made on the host before each round, for the first READDIRPLUS listing. */
const FIRST_LISTING_ENTRIES = 3000;
const CREATE_FILES = 100;
/** The working directory nfsbench uses in every export. */
const WORK_DIR = 'nfsbench';
const TCP_STREAM_MIB = 1024;
const NFSBENCH_TIMEOUT_MS = 180_000;

export interface VsGaneshaOptions {
  readonly rounds: number;
  /** False when NFS-Ganesha is not installed: nfsgate is measured alone. */
  readonly withGanesha: boolean;
  readonly tools: ClientTools;
}

interface Contestant {
  readonly contender: Contender;
  readonly target: NfsTarget;
  readonly pid: number;
  stop(): Promise<void>;
}

async function nfsgate(contender: Contender, options: string): Promise<Contestant> {
  const server = await ServerProcess.start({ options });
  return { contender, target: server, pid: server.pid!, stop: () => server.cleanup() };
}

async function ganesha(): Promise<Contestant> {
  const g = await GaneshaProcess.start();
  return { contender: 'ganesha', target: g, pid: g.pid, stop: () => g.stop() };
}

/** Empty files e000000... made directly in the export, behind the server, as nfsbench expects them. */
function makeOnHost(dir: string, entries: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < entries; i++) closeSync(openSync(join(dir, `e${String(i).padStart(6, '0')}`), 'w'));
}

/** Loopback TCP bandwidth between two processes in this network namespace, MiB/s. */
function tcpCeiling(tcpceil: string): number {
  const out = execFileSync(tcpceil, ['bw', String(TCP_STREAM_MIB)], { encoding: 'utf8', timeout: 60_000 });
  const line = JSON.parse(out.trim().split('\n').at(-1)!) as { mib_per_s: number };
  console.log(out.trim());
  return line.mib_per_s;
}

/** One round against one server: the main workloads, then CREATE/REMOVE at each queue depth. */
async function measure(
  tools: ClientTools,
  who: Contestant,
  round: number,
  record: (s: Sample) => void,
): Promise<void> {
  const firstDir = `first.${round}`;
  makeOnHost(join(who.target.exportDir, WORK_DIR, firstDir), FIRST_LISTING_ENTRIES);
  const common = ['-d', WORK_DIR, '--cpu-latency-qos', '--server-pid', String(who.pid)];
  const runs: { what: string; args: string[] }[] = [
    {
      what: `${MAIN_WORKLOADS} at qd ${QUEUE_DEPTHS.join(',')}`,
      args: [
        ...TIMED,
        '-w',
        MAIN_WORKLOADS,
        '-q',
        QUEUE_DEPTHS.join(','),
        '-s',
        String(FILE_MIB),
        '--lookup-files',
        String(LOOKUP_FILES),
        '--readdir-entries',
        String(FIRST_LISTING_ENTRIES),
        '--readdir-dir',
        firstDir,
        '--readdir-made-on-host',
      ],
    },
    ...QUEUE_DEPTHS.map((qd) => ({
      what: `create at qd ${qd}`,
      args: ['-w', 'create', '-q', String(qd), '-n', String(CREATE_FILES)],
    })),
  ];
  const label = `${who.contender}-round${round}`;
  for (const { what, args } of runs) {
    const started = performance.now();
    const run = await runNfsbenchOnce(
      tools.nfsbench,
      who.target,
      [...args, ...common, '-l', label],
      (line) => console.log(line),
      NFSBENCH_TIMEOUT_MS,
    );
    console.error(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (run.status === 2 || run.results.length === 0)
      console.error(`  nfsbench could not run against ${label} (${what}): ${run.stderrTail}`);
    for (const d of run.results) {
      const { value, unit } = rateOf(d);
      record({
        contender: who.contender,
        round,
        workload: d.workload,
        phase: d.phase,
        qd: d.qd,
        value,
        unit: d.workload === 'readdir' ? 'entries/s' : d.workload === 'create' ? 'files/s' : unit,
        errors: d.errors + d.verify_errors,
      });
    }
  }
}

/**
 * `npm run bench -- --vs ganesha`: nfsgate (an `async` export and a `sync` one, each its own server)
 * and NFS-Ganesha (FSAL_VFS) on the same filesystem, measured by the same nfsbench client, round after
 * round, the order of the servers rotating; each server lives through every round so its memory can be
 * followed. Prints nfsbench's lines as they come, then the medians, ranges and ratios, the memory, and
 * whether each target holds.
 */
export async function compareWithGanesha(o: VsGaneshaOptions): Promise<void> {
  const contestants: Contestant[] = [];
  const samples: Sample[] = [];
  const rss = new Map<Contender, number[]>();
  const tcp: number[] = [];
  try {
    if (o.withGanesha) contestants.push(await ganesha());
    contestants.push(await nfsgate('nfsgate-async', 'rw,no_root_squash,insecure,async'));
    contestants.push(await nfsgate('nfsgate-sync', 'rw,no_root_squash,insecure,sync'));

    for (let round = 1; round <= o.rounds; round++) {
      tcp.push(tcpCeiling(o.tools.tcpceil));
      const shift = (round - 1) % contestants.length;
      const order = [...contestants.slice(shift), ...contestants.slice(0, shift)];
      for (const who of order) {
        console.error(`round ${round}/${o.rounds}: ${who.contender}`);
        await measure(o.tools, who, round, (s) => samples.push(s));
        rss.set(who.contender, [...(rss.get(who.contender) ?? []), memoryOf(who.pid).rssMiB]);
      }
    }

    const memory = new Map<Contender, Memory>(
      contestants.map((c) => [
        c.contender,
        { rssAfterRound: rss.get(c.contender) ?? [], peakMiB: memoryOf(c.pid).peakMiB },
      ]),
    );
    const rows = rowsOf(samples);
    const tcpMiBps = tcp.length ? median(tcp) : undefined;
    console.log(
      `\nnfsgate vs NFS-Ganesha, ${o.rounds} round(s): median [min-max] of each server, ratio of medians` +
        ` (above 1: nfsgate faster). ! marks errors. READ is served from the page cache.`,
    );
    if (!o.withGanesha) console.log('NFS-Ganesha was not measured (not installed): nfsgate alone.');
    console.log(`\n${workloadTable(rows)}`);
    console.log(`\n${memoryTable(memory)}`);
    console.log(`\nloopback TCP (tcpceil bw ${TCP_STREAM_MIB} MiB): median ${tcpMiBps?.toFixed(0)} MiB/s`);
    console.log(`\n${verdictTable(verdicts(rows, memory, tcpMiBps))}`);
  } finally {
    for (const c of contestants) await c.stop();
  }
}
