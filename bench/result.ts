/** One measured figure. `extra` carries the details a reader needs to trust it (latency, counts...). */
export interface BenchResult {
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly unit: 'ops/s' | 'calls/s' | 'MiB/s' | 'MiB' | 'ms' | 'us' | 'flag';
  readonly extra?: Readonly<Record<string, number | string | boolean>>;
}

export type Emit = (r: BenchResult) => void;

/** Prints a result as one JSON line, at once, so a run cut short still leaves its figures behind. */
export function jsonLine(r: BenchResult): string {
  return JSON.stringify({ type: 'bench', ...r });
}

const round = (v: number): string =>
  !Number.isFinite(v) ? String(v) : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);

function describeExtra(extra: BenchResult['extra']): string {
  if (!extra) return '';
  return Object.entries(extra)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`)
    .join(' ');
}

/** A fixed-width table of every result, for people. */
export function table(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.group, r.name, round(r.value), r.unit, describeExtra(r.extra)]);
  const head = ['group', 'benchmark', 'value', 'unit', 'details'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The figures two groups measured with the same workload side by side: `a`'s value, `b`'s, and a / b
 * (for memory a ratio above 1 means `a` uses more; for rates it means `a` is faster).
 */
export function comparison(results: readonly BenchResult[], a: string, b: string): string {
  const of = (group: string) => new Map(results.filter((r) => r.group === group).map((r) => [r.name, r]));
  const left = of(a);
  const right = of(b);
  const rows: string[][] = [];
  for (const [name, ra] of left) {
    const rb = right.get(name);
    if (!rb) continue;
    rows.push([name, round(ra.value), round(rb.value), ra.unit, (ra.value / rb.value).toFixed(2)]);
    const peakA = ra.extra?.peak_mib;
    const peakB = rb.extra?.peak_mib;
    if (typeof peakA === 'number' && typeof peakB === 'number')
      rows.push([`${name} (peak)`, round(peakA), round(peakB), 'MiB', (peakA / peakB).toFixed(2)]);
  }
  const head = ['benchmark', a, b, 'unit', `${a}/${b}`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One line per result that carries a target (`extra.holds`): whether the target holds. */
export function targets(results: readonly BenchResult[]): string[] {
  return results
    .filter((r) => typeof r.extra?.holds === 'boolean')
    .map(
      (r) =>
        `target ${r.extra?.holds ? 'holds' : 'MISSED'}: ${r.group} ${r.name} (${describeExtra(r.extra)})`,
    );
}
