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

export const round = (v: number): string =>
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

/** One line per result that carries a target (`extra.holds`): whether the target holds. */
export function targets(results: readonly BenchResult[]): string[] {
  return results
    .filter((r) => typeof r.extra?.holds === 'boolean')
    .map(
      (r) =>
        `target ${r.extra?.holds ? 'holds' : 'MISSED'}: ${r.group} ${r.name} (${describeExtra(r.extra)})`,
    );
}
