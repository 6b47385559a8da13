/**
 * A light metrics registry for worker threads. Workers do not load
 * prom-client (it costs memory per worker); they keep plain numbers here and
 * hand them to the main thread as prom-client's `getMetricsAsJSON()` shape,
 * where `AggregatorRegistry.aggregate` merges every worker into one
 * exposition. Hot paths bind labels once (`labels({...})`) and then only add.
 */

export type Labels = Readonly<Record<string, string>>;

/** prom-client's JSON form of one metric. */
export interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
  aggregator: 'sum' | 'max' | 'min' | 'average' | 'first' | 'omit';
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

abstract class Family<C> {
  protected readonly children = new Map<string, { labels: Labels; child: C }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }

  labels(labels: Labels = {}): C {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let entry = this.children.get(key);
    if (!entry) {
      const picked: Record<string, string> = {};
      for (const n of this.labelNames) picked[n] = labels[n] ?? '';
      entry = { labels: picked, child: this.make() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Forgets one label set (e.g. an actor that has stopped for good). */
  remove(labels: Labels): void {
    this.children.delete(this.labelNames.map((n) => labels[n] ?? '').join('\u0000'));
  }

  protected abstract make(): C;
  abstract toJson(): MetricJson;
}

export class CounterChild {
  value = 0;
  inc(v = 1): void {
    this.value += v;
  }
}

export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(v = 1): void {
    this.value += v;
  }
  dec(v = 1): void {
    this.value -= v;
  }
}

export class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

export class CounterFamily extends Family<CounterChild> {
  protected make(): CounterChild {
    return new CounterChild();
  }
  inc(labels?: Labels, v = 1): void {
    this.labels(labels).inc(v);
  }
  toJson(): MetricJson {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: 'sum',
      values: [...this.children.values()].map((e) => ({ value: e.child.value, labels: { ...e.labels } })),
    };
  }
}

export class GaugeFamily extends Family<GaugeChild> {
  constructor(name: string, help: string, labelNames: readonly string[], readonly aggregator: MetricJson['aggregator'] = 'sum') {
    super(name, help, labelNames);
  }
  protected make(): GaugeChild {
    return new GaugeChild();
  }
  set(labels: Labels | undefined, v: number): void {
    this.labels(labels).set(v);
  }
  toJson(): MetricJson {
    return {
      name: this.name,
      help: this.help,
      type: 'gauge',
      aggregator: this.aggregator,
      values: [...this.children.values()].map((e) => ({ value: e.child.value, labels: { ...e.labels } })),
    };
  }
}

/** Latency buckets in seconds, from 1 µs to 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class HistogramFamily extends Family<HistogramChild> {
  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[] = LATENCY_BUCKETS) {
    super(name, help, labelNames);
  }
  protected make(): HistogramChild {
    return new HistogramChild(this.buckets);
  }
  observe(labels: Labels | undefined, v: number): void {
    this.labels(labels).observe(v);
  }
  toJson(): MetricJson {
    const values: MetricJson['values'] = [];
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += child.counts[i];
        values.push({ value: cumulative, labels: { le: this.buckets[i], ...labels }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: child.count, labels: { le: '+Inf', ...labels }, metricName: `${this.name}_bucket` });
      values.push({ value: child.sum, labels: { ...labels }, metricName: `${this.name}_sum` });
      values.push({ value: child.count, labels: { ...labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}

type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;

/** What an actor's context offers for its own metrics. Names follow Prometheus conventions. */
export interface MetricHelpers {
  counter(name: string, help: string, labelNames?: readonly string[]): CounterFamily;
  gauge(name: string, help: string, labelNames?: readonly string[]): GaugeFamily;
  histogram(name: string, help: string, labelNames?: readonly string[], buckets?: readonly number[]): HistogramFamily;
}

export class MetricsRegistry implements MetricHelpers {
  private readonly families = new Map<string, AnyFamily>();

  counter(name: string, help: string, labelNames: readonly string[] = []): CounterFamily {
    return this.getOrCreate(name, CounterFamily, () => new CounterFamily(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = [], aggregator?: MetricJson['aggregator']): GaugeFamily {
    return this.getOrCreate(name, GaugeFamily, () => new GaugeFamily(name, help, labelNames, aggregator));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): HistogramFamily {
    return this.getOrCreate(name, HistogramFamily, () => new HistogramFamily(name, help, labelNames, buckets));
  }

  toJson(): MetricJson[] {
    return [...this.families.values()].map((f) => f.toJson());
  }

  private getOrCreate<F extends AnyFamily>(name: string, cls: abstract new (...args: never[]) => F, make: () => F): F {
    const existing = this.families.get(name);
    if (existing) {
      if (!(existing instanceof cls)) throw new Error(`metric ${name} is already registered as another type`);
      return existing;
    }
    const f = make();
    this.families.set(name, f);
    return f;
  }
}
