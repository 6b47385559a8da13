/**
 * The form that starts a back-test or a grid sweep: history from the venue
 * (symbols and days) or from a CSV file on the server, the bar interval,
 * starting cash and seed; for a sweep, one parameter per line
 * (`path = 5, 10, 20`) and the objective. Sent with the operator token; the
 * gateway's answer (or its 400 naming the wrong field) is shown under the
 * form.
 */
import { commands } from '../api/index.js';
import { runCommand } from '../ui/dialog.js';
import { h, setText } from '../ui/dom.js';

const INTERVALS: readonly [string, number][] = [
  ['1 min', 60_000],
  ['5 min', 300_000],
  ['15 min', 900_000],
  ['1 hour', 3_600_000],
  ['1 day', 86_400_000],
];

// The browser bundle cannot import app/research/sweep-plan.ts (it pulls the runtime's node-side errors): keep in step with OBJECTIVES there.
const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'total_return', 'annual_return', 'max_drawdown'] as const;

/** A value as typed: a number when it reads as one, true/false, else the text. */
function valueOf(text: string): number | string | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  return text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

/** `path = 5, 10, 20` per line into sweep params; throws naming the line that does not read. */
export function parseSweepParams(text: string): { path: string; values: (number | string | boolean)[] }[] {
  const out: { path: string; values: (number | string | boolean)[] }[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*([\w.-]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (!m) throw new Error(`parameters line ${i + 1}: write path = value, value, ...`);
    out.push({ path: m[1]!, values: m[2]!.split(',').map((v) => valueOf(v.trim())).filter((v) => v !== '') });
  });
  if (out.length === 0) throw new Error('a sweep needs at least one parameter line: path = value, value, ...');
  return out;
}

/** The form element; `onStarted` gets the new run's id (null when the answer had none). */
export function createBacktestForm(onStarted: (id: string | null) => void): HTMLElement {
  const input = (name: string, attrs: Record<string, string | number> = {}): HTMLInputElement => h('input', { name, autocomplete: 'off', spellcheck: 'false', ...attrs });
  const name = input('name', { placeholder: 'optional', maxlength: 100 });
  const source = h('select', { name: 'source' }, h('option', { value: 'venue' }, 'venue history'), h('option', { value: 'csv' }, 'CSV file'));
  const symbols = input('symbols', { value: 'GLD,SLV', placeholder: 'GLD,SLV' });
  const days = input('days', { type: 'number', min: 1, max: 3650, value: 30 });
  const file = input('file', { placeholder: '/path/to/bars.csv' });
  const interval = h('select', { name: 'intervalMs' }, ...INTERVALS.map(([label, ms]) => h('option', { value: String(ms) }, label)));
  const cash = input('startingCash', { type: 'number', min: 1, step: 'any', value: 100_000 });
  const seed = input('seed', { type: 'number', min: 0, step: 1, value: 1 });
  const kind = h('select', { name: 'kind' }, h('option', { value: 'backtest' }, 'back-test'), h('option', { value: 'sweep' }, 'sweep (grid)'));
  const params = h('textarea', { name: 'params', rows: 3, cols: 48, spellcheck: 'false', placeholder: 'strategies.params.trend_ma_cross.fast = 5, 10, 20\nstrategies.params.trend_ma_cross.slow = 50, 100, 200' });
  const objective = h('select', { name: 'objective' }, ...OBJECTIVES.map((o) => h('option', { value: o }, o)));
  const message = h('p.small', { 'data-testid': 'backtest-message', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'start-backtest' }, 'Start back-test');
  const label = (text: string, field: HTMLElement, cls = ''): HTMLLabelElement => h('label', { class: cls }, h('span', {}, text), field);
  const venueFields = [label('symbols', symbols), label('days', days)];
  const csvFields = [label('CSV path (on the server)', file, 'wide-field')];
  const sweepFields = [label('parameters (one per line: path = values)', params, 'wide-field'), label('objective', objective)];
  const sync = (): void => {
    const csv = source.value === 'csv';
    const sweep = kind.value === 'sweep';
    for (const f of venueFields) f.hidden = csv;
    for (const f of csvFields) f.hidden = !csv;
    for (const f of sweepFields) f.hidden = !sweep;
    setText(submit, sweep ? 'Start sweep' : 'Start back-test');
  };
  source.addEventListener('change', sync);
  kind.addEventListener('change', sync);
  sync();

  const body = (): Record<string, unknown> => {
    const intervalMs = Number(interval.value);
    const history =
      source.value === 'csv'
        ? { kind: 'csv', file: file.value.trim(), intervalMs }
        : {
            kind: 'venue',
            symbols: symbols.value
              .split(/[\s,]+/)
              .map((s) => s.trim().toUpperCase())
              .filter(Boolean),
            days: Number(days.value),
            intervalMs,
          };
    const out: Record<string, unknown> = { history, startingCash: Number(cash.value), seed: Number(seed.value) };
    if (name.value.trim()) out.name = name.value.trim();
    return out;
  };

  const form = h(
    'form.research-form',
    { 'data-testid': 'backtest-form' },
    label('run', kind),
    label('name', name),
    label('history', source),
    ...venueFields,
    ...csvFields,
    label('bars', interval),
    label('starting cash ($)', cash),
    label('seed', seed),
    ...sweepFields,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      submit.disabled = true;
      setText(message, 'starting…');
      message.className = 'small muted';
      let id: string | null = null;
      let failure = '';
      const sweep = kind.value === 'sweep';
      let sweepBody: Record<string, unknown> | null = null;
      if (sweep) {
        try {
          sweepBody = { ...body(), params: parseSweepParams(params.value), objective: objective.value };
        } catch (err) {
          submit.disabled = false;
          setText(message, `not started: ${(err as Error).message}`);
          message.className = 'small bad';
          return;
        }
      }
      const ok = await runCommand(sweep ? 'start sweep' : 'start back-test', async (token) => {
        const r = sweepBody ? await commands.startSweep(sweepBody, token) : await commands.startBacktest(body(), token);
        const run = (r.result as { run?: { id?: unknown } } | undefined)?.run;
        id = typeof run?.id === 'string' ? run.id : null;
        failure = r.message;
        return r;
      });
      submit.disabled = false;
      setText(message, ok ? `queued${id ? ` as ${id}` : ''}` : `not started: ${failure || 'enter the operator token first (top right)'}`);
      message.className = ok ? 'small pos' : 'small bad';
      if (ok) onStarted(id);
    })();
  });
  return h('section.panel', {}, h('h2', {}, 'Start a back-test or sweep'), form, message);
}
