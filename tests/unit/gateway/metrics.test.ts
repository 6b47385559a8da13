import { describe, expect, it } from 'vitest';
import { GatewayMetrics, mergeExposition, sanitizeSources } from '../../../gateway/metrics.js';
import type { MetricJson } from '../../../src/runtime/metrics.js';
import { lintExposition, parseExposition, promtool } from '../../helpers/exposition.js';
import { toolMissing } from '../../helpers/tools.js';
import { simulatedMetrics } from '../../fixtures/metric-set.js';

const counter = (name: string, value: number, labels: Record<string, string> = {}): MetricJson => ({ name, help: 'h', type: 'counter', aggregator: 'sum', values: [{ value, labels }] });

describe('gateway metrics', () => {
  it('two workers with the same counter then summed per label set', async () => {
    const text = await mergeExposition([[counter('qgtm_x_total', 2, { a: '1' })], [counter('qgtm_x_total', 3, { a: '1' }), counter('qgtm_x_total', 7, { a: '2' })]]);
    const f = parseExposition(text).get('qgtm_x_total')!;
    expect(f.type).toBe('counter');
    expect(f.samples.map((s) => [s.labels.a, s.value])).toEqual([
      ['1', 5],
      ['2', 7],
    ]);
  });

  it('invalid families then left out and each counted by reason', () => {
    const reasons: string[] = [];
    const out = sanitizeSources(
      [
        [counter('ok_total', 1), counter('bad-name', 1), { ...counter('lbl_total', 1), values: [{ value: 1, labels: { 'bad-label': 'x' } }] }],
        [{ ...counter('ok_total', 1), type: 'gauge' }, { ...counter('str_total', 1), values: [{ value: 'x' as unknown as number, labels: {} }] }],
      ],
      (r) => reasons.push(r),
    );
    expect(out.map((l) => l.map((m) => m.name))).toEqual([['ok_total'], []]);
    expect(reasons).toEqual(['bad_name', 'bad_label', 'type_conflict', 'bad_values']);
  });

  it('gateway registry with 30 simulated workers then the exposition parses and passes the lint rules', async () => {
    const m = new GatewayMetrics();
    m.httpErrors.inc({ status: '404', reason: 'not_found' });
    const text = await m.exposition(simulatedMetrics(30, 3));
    const families = parseExposition(text);
    expect(lintExposition(families)).toEqual([]);
    // Each actor's handle-time histogram survived the merge with its +Inf bucket equal to its count.
    const h = families.get('qgtm_actor_handle_seconds')!;
    const inf = h.samples.filter((s) => s.labels.le === '+Inf');
    expect(inf).toHaveLength(90);
    expect(inf.every((s) => s.value === 200)).toBe(true);
    const p = promtool(text);
    if (p === null) toolMissing('promtool is not installed (Debian package prometheus)', 'only the built-in lint rules ran');
    else expect(p.output).toBe('');
  });

  it('the lint rules then catch what promtool would', () => {
    const text = [
      '# HELP a_seconds x',
      '# TYPE a_seconds gauge',
      'a_seconds{quantile="0.5"} 1',
      '# TYPE b counter',
      'b 1',
      '# HELP c_total x',
      '# TYPE c_total gauge',
      'c_total 1',
      '# HELP d_ms x',
      '# TYPE d_ms gauge',
      'd_ms 1',
    ].join('\n');
    expect(lintExposition(parseExposition(text))).toEqual([
      'a_seconds non-summary metrics should not have "quantile" label',
      'b no help text',
      'b counter metrics should have "_total" suffix',
      'c_total non-counter metrics should not have "_total" suffix',
      'd_ms use base units (seconds, bytes) in metric names',
    ]);
  });
});
