/**
 * A small Prometheus text-format registry: counters, gauges and a latency histogram keyed by labels.
 * Hand-written because the exposition format is tiny and the server needs only these three kinds.
 */
type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  abstract readonly type: string;
  abstract samples(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join(
      '\n',
    );
  }
}

export class Counter extends Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  samples(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  private readonly values = new Map<string, number | (() => number)>();
  set(value: number | (() => number), labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  samples(): string[] {
    return [...this.values].map(
      ([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${typeof v === 'function' ? v() : v}`,
    );
  }
}

const LATENCY_BUCKETS_S = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
];

/** Event-loop blocks: from a scheduling hiccup to a stall every client notices. */
const LOOP_BLOCK_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5];

export class Histogram extends Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[] = LATENCY_BUCKETS_S,
  ) {
    super(name, help);
  }
  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  samples(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      for (let i = 0; i < this.buckets.length; i++) {
        out.push(`${this.name}_bucket{${sep}le="${this.buckets[i]}"} ${s.counts[i]}`);
      }
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  private add<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

/** The server's metrics, in one place so names stay consistent. */
export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  readonly calls = this.registry.counter(
    'nfsgate_rpc_calls_total',
    'RPC calls by program, procedure and outcome',
  );
  readonly latency = this.registry.histogram('nfsgate_rpc_duration_seconds', 'RPC call latency by procedure');
  readonly handleRefusals = this.registry.counter(
    'nfsgate_handle_refusals_total',
    'File handles refused, by reason',
  );
  readonly catalogObjects = this.registry.gauge('nfsgate_catalog_objects', 'Objects recorded in the catalog');
  readonly keys = this.registry.gauge('nfsgate_keys', 'Handle keys by state');
  readonly mounts = this.registry.gauge('nfsgate_mounts', 'Entries in the MOUNT list');
  readonly up = this.registry.gauge('nfsgate_up', '1 while the server is serving');
  /** Fed by `watchEventLoop` (loop-lag.ts): one observation per tick of its timer. */
  readonly loopBlock = this.registry.histogram(
    'nfsgate_event_loop_block_seconds',
    'How late the event-loop watch timer ran, once per 4 ms tick: time the loop was held by synchronous work',
    LOOP_BLOCK_BUCKETS_S,
  );
  readonly loopBlockMax = this.registry.gauge(
    'nfsgate_event_loop_block_max_seconds',
    'The longest event-loop block since the server started',
  );
}
