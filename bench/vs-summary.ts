import { round } from './result.js';

/** The servers a `--vs ganesha` run measures: nfsgate with an `async` and a `sync` export, and Ganesha. */
export const CONTENDERS = ['nfsgate-async', 'nfsgate-sync', 'ganesha'] as const;
export type Contender = (typeof CONTENDERS)[number];

/** One figure of one round: an nfsbench phase against one server. */
export interface Sample {
  readonly contender: Contender;
  readonly round: number;
  readonly workload: string;
  readonly phase: string;
  readonly qd: number;
  readonly value: number;
  readonly unit: string;
  /** Errors and failed verifications nfsbench counted in the phase. */
  readonly errors: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly errors: number;
}

/** One workload at one queue depth, with each server's spread over the rounds. */
export interface Row {
  readonly label: string;
  readonly unit: string;
  readonly qd: number;
  /** Part of the queue-depth sweep (1, 8, 32); READ/WRITE (8 in flight) and listings (one chain) are not. */
  readonly swept: boolean;
  readonly spreads: ReadonlyMap<Contender, Spread>;
}

/** Memory of one server: resident size after each round and the peak over the whole run, in MiB. */
export interface Memory {
  readonly rssAfterRound: readonly number[];
  readonly peakMiB: number;
}

export interface Verdict {
  readonly target: string;
  /** undefined: not measured in this run. */
  readonly holds: boolean | undefined;
  readonly detail: string;
}

export const RSS_LIMIT_MIB = 128;
/** RSS after the last round may exceed RSS after the first by this fraction before it counts as growth. */
export const RSS_GROWTH_TOLERANCE = 0.1;
export const READ_SHARE_OF_TCP = 0.5;

const SWEPT = new Set(['null', 'getattr', 'lookup', 'create', 'mixed']);
/** Names for people, by `workload/phase` or, for the swept workloads, by workload. */
const NAMES: Record<string, string> = {
  null: 'NULL',
  getattr: 'GETATTR',
  lookup: 'LOOKUP+GETATTR',
  mixed: 'mixed',
  'write/seq': 'WRITE+COMMIT',
  'read/seq': 'READ',
  'create/create': 'CREATE+WRITE+COMMIT',
  'create/remove': 'REMOVE',
  'readdir/first': 'READDIRPLUS first listing',
  'readdir/readdirplus': 'READDIRPLUS repeat listing',
};

function labelOf(s: Sample): string {
  const name = NAMES[`${s.workload}/${s.phase}`] ?? NAMES[s.workload] ?? `${s.workload} ${s.phase}`;
  return SWEPT.has(s.workload) ? `${name} qd${s.qd}` : name;
}

export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Groups the samples by workload and queue depth, in the order they were first measured. */
export function rowsOf(samples: readonly Sample[]): Row[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = labelOf(s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups].map(([label, group]) => {
    const spreads = new Map<Contender, Spread>();
    for (const c of CONTENDERS) {
      const mine = group.filter((s) => s.contender === c);
      if (mine.length === 0) continue;
      const values = mine.map((s) => s.value).filter((v) => Number.isFinite(v));
      spreads.set(c, {
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        runs: values.length,
        errors: mine.reduce((n, s) => n + s.errors, 0),
      });
    }
    const first = group[0]!;
    return { label, unit: first.unit, qd: first.qd, swept: SWEPT.has(first.workload), spreads };
  });
}

/** nfsgate's median over Ganesha's: above 1 nfsgate is faster (every unit here is a rate). */
export function ratio(row: Row, c: Contender): number | undefined {
  const mine = row.spreads.get(c);
  const theirs = row.spreads.get('ganesha');
  if (!mine || !theirs || !(theirs.median > 0)) return undefined;
  return mine.median / theirs.median;
}

function ratioVerdict(target: string, rows: readonly Row[], c: Contender): Verdict {
  if (rows.length === 0) return { target, holds: undefined, detail: 'no rows measured' };
  const ratios = rows.map((r) => ({ r, x: ratio(r, c) }));
  if (ratios.some(({ x }) => x === undefined))
    return { target, holds: undefined, detail: 'not measured: no NFS-Ganesha figures' };
  const errors = rows.filter((r) => (r.spreads.get(c)?.errors ?? 0) > 0);
  const below = ratios.filter(({ x }) => x! < 1);
  const worst = [...below]
    .sort((a, b) => a.x! - b.x!)
    .map(({ r, x }) => `${r.label} ${x!.toFixed(2)}`)
    .join(', ');
  const detail = [
    below.length
      ? `${below.length} of ${rows.length} below 1.0: ${worst}`
      : `all ${rows.length} at or above 1.0`,
    errors.length ? `errors in ${errors.map((r) => r.label).join(', ')}` : '',
  ]
    .filter((d) => d)
    .join('; ');
  return { target, holds: below.length === 0 && errors.length === 0, detail };
}

/** Each target the comparison is judged by, and whether this run meets it. */
export function verdicts(
  rows: readonly Row[],
  memory: ReadonlyMap<Contender, Memory>,
  tcpMiBps: number | undefined,
): Verdict[] {
  const out: Verdict[] = [];
  out.push(
    ratioVerdict(
      'async export: every workload at qd 1 and 32, nfsgate/ganesha >= 1.0',
      rows.filter((r) => !r.swept || r.qd === 1 || r.qd === 32),
      'nfsgate-async',
    ),
  );
  out.push(
    ratioVerdict(
      'sync export: every workload from qd 8 up, nfsgate/ganesha >= 1.0',
      rows.filter((r) => r.qd >= 8),
      'nfsgate-sync',
    ),
  );

  const readTarget = `READ >= ${READ_SHARE_OF_TCP * 100}% of loopback TCP (tcpceil bw)`;
  const read = rows.find((r) => r.label === 'READ');
  const reads = (['nfsgate-async', 'nfsgate-sync'] as const)
    .map((c) => ({ c, s: read?.spreads.get(c) }))
    .filter((x) => x.s !== undefined);
  if (tcpMiBps === undefined || reads.length === 0) {
    out.push({ target: readTarget, holds: undefined, detail: 'not measured' });
  } else {
    const share = (mibps: number) => mibps / tcpMiBps;
    const each = reads.map(
      ({ c, s }) => `${c} ${round(s!.median)} MiB/s (${(share(s!.median) * 100).toFixed(0)}%)`,
    );
    out.push({
      target: readTarget,
      holds: reads.every(({ s }) => share(s!.median) >= READ_SHARE_OF_TCP),
      detail: `${each.join(', ')} of ${round(tcpMiBps)} MiB/s`,
    });
  }

  const memTarget = `nfsgate peak RSS <= ${RSS_LIMIT_MIB} MiB, no growth across rounds (> ${RSS_GROWTH_TOLERANCE * 100}%)`;
  const mine = (['nfsgate-async', 'nfsgate-sync'] as const)
    .map((c) => ({ c, m: memory.get(c) }))
    .filter((x) => x.m !== undefined);
  if (mine.length === 0) {
    out.push({ target: memTarget, holds: undefined, detail: 'not measured' });
  } else {
    const grew = (m: Memory) =>
      m.rssAfterRound.length > 1 &&
      m.rssAfterRound.at(-1)! > m.rssAfterRound[0]! * (1 + RSS_GROWTH_TOLERANCE);
    out.push({
      target: memTarget,
      holds: mine.every(({ m }) => m!.peakMiB <= RSS_LIMIT_MIB && !grew(m!)),
      detail: mine
        .map(
          ({ c, m }) =>
            `${c} peak ${round(m!.peakMiB)} MiB, after each round ${m!.rssAfterRound.map(round).join(' ')}${grew(m!) ? ' (grew)' : ''}`,
        )
        .join('; '),
    });
  }
  return out;
}

function cell(s: Spread | undefined): string {
  if (!s) return '-';
  const range = s.runs > 1 ? ` [${round(s.min)}-${round(s.max)}]` : '';
  return `${round(s.median)}${range}${s.errors > 0 ? ' !' : ''}`;
}

function layout(
  head: readonly string[],
  rows: readonly string[][],
  rightAligned: ReadonlySet<number>,
): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The per-workload table: each server's median [range] over the rounds and nfsgate/ganesha of medians. */
export function workloadTable(rows: readonly Row[]): string {
  const present = CONTENDERS.filter((c) => rows.some((r) => r.spreads.has(c)));
  const ratios = present.filter((c) => c !== 'ganesha' && present.includes('ganesha'));
  const head = ['workload', 'unit', ...present, ...ratios.map((c) => `${c.replace('nfsgate-', '')}/ganesha`)];
  const body = rows.map((r) => [
    r.label,
    r.unit,
    ...present.map((c) => cell(r.spreads.get(c))),
    ...ratios.map((c) => ratio(r, c)?.toFixed(2) ?? '-'),
  ]);
  const right = new Set(head.map((_, i) => i).filter((i) => i >= 2));
  return layout(head, body, right);
}

export function memoryTable(memory: ReadonlyMap<Contender, Memory>): string {
  const body = [...memory].map(([c, m]) => [c, round(m.peakMiB), m.rssAfterRound.map(round).join(' ')]);
  return layout(['server', 'peak RSS MiB', 'RSS after each round, MiB'], body, new Set([1]));
}

export function verdictTable(vs: readonly Verdict[]): string {
  const body = vs.map((v) => [v.target, v.holds === undefined ? 'n/a' : v.holds ? 'yes' : 'NO', v.detail]);
  return layout(['target', 'holds', 'detail'], body, new Set());
}
