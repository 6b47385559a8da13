/**
 * The form that starts a back-test: history from the venue (symbols and
 * days) or from a CSV file on the server, the bar interval, starting cash
 * and seed. Sent with the operator token; the gateway's answer (or its 400
 * naming the wrong field) is shown under the form.
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
  const message = h('p.small', { 'data-testid': 'backtest-message', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'start-backtest' }, 'Start back-test');
  const label = (text: string, field: HTMLElement, cls = ''): HTMLLabelElement => h('label', { class: cls }, h('span', {}, text), field);
  const venueFields = [label('symbols', symbols), label('days', days)];
  const csvFields = [label('CSV path (on the server)', file, 'wide-field')];
  const sync = (): void => {
    const csv = source.value === 'csv';
    for (const f of venueFields) f.hidden = csv;
    for (const f of csvFields) f.hidden = !csv;
  };
  source.addEventListener('change', sync);
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
    label('name', name),
    label('history', source),
    ...venueFields,
    ...csvFields,
    label('bars', interval),
    label('starting cash ($)', cash),
    label('seed', seed),
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
      const ok = await runCommand('start back-test', async (token) => {
        const r = await commands.startBacktest(body(), token);
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
  return h('section.panel', {}, h('h2', {}, 'Start a back-test'), form, message);
}
