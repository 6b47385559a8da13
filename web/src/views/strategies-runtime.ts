/**
 * The Strategies view's runtime-entry parts: an Origin column (catalog, or
 * the entry a runtime variant varies and who added it), Change and Remove
 * controls on runtime rows, and an "Add entry" control: a variant of a catalog entry
 * (another window, other instruments) or a control (buy_and_hold,
 * flat_control), sent with the operator token. The daemon validates the
 * entry against its base's bounds; a refusal shows its reasons in a toast.
 */
import { commands, type StrategyVM } from '../api/index.js';
import { confirmDialog, runCommand, toast } from '../ui/dialog.js';
import { h, setText, type Column } from '../ui/dom.js';
import type { Store } from '../store.js';
import { cell } from './common.js';
import { strategiesOf } from '../derive.js';

/** What the Origin column reads: `catalog`, or `<base> · <source>` for a runtime entry. */
export function originText(s: StrategyVM): string {
  return s.origin ? `${s.origin.base} · ${s.origin.source}` : 'catalog';
}

/** Origin, and a Remove button on runtime rows. */
export function runtimeColumns(store: Store): Column<StrategyVM>[] {
  return [
    {
      title: 'Origin',
      tip: 'catalog, or the entry a runtime variant varies and how it was added (api, file)',
      cell: (td, s) => {
        td.title = s.origin ? `added by ${s.origin.by ?? '?'}${s.origin.at ? ' at ' + new Date(s.origin.at).toISOString() : ''}${s.origin.note ? ': ' + s.origin.note : ''}` : '';
        cell(td, originText(s), s.origin ? 'runtime' : 'muted');
      },
    },
    {
      title: '',
      kind: 'ctl',
      cell: (td, s) => {
        if (!s.origin) {
          td.replaceChildren();
          return;
        }
        if (td.childElementCount === 0) {
          const change = h('button', { type: 'button', class: 'small primary-outline', 'data-action': 'change', 'data-strategy': s.id }, 'Change');
          change.addEventListener('click', () => void changeEntry(store, change.dataset.strategy!));
          const b = h('button', { type: 'button', class: 'small danger-outline', 'data-action': 'remove', 'data-strategy': s.id }, 'Remove');
          b.addEventListener('click', () => void remove(store, b.dataset.strategy!));
          td.append(change, b);
        }
        for (const b of td.querySelectorAll('button')) b.disabled = !store.connected;
      },
    },
  ];
}

/**
 * Changes a runtime entry: the dialog opens on what it runs with (its
 * parameters as the shard reports them, its instruments, its note); what
 * the operator leaves as it was is not sent.
 */
async function changeEntry(store: Store, id: string): Promise<void> {
  const s = strategiesOf(store)?.strategies.find((x) => x.id === id);
  if (!s) return;
  const params = JSON.stringify(s.params ?? {});
  const instruments = s.instruments.join(' ');
  const note = s.origin?.note ?? '';
  const v = await confirmDialog({
    title: `Change ${id}`,
    body: `A variant of ${s.origin?.base ?? '?'}. The daemon checks the change against the base's bounds; a refused one changes nothing.`,
    confirmLabel: 'Change',
    fields: [
      { name: 'params', label: 'Params (JSON)', value: params },
      { name: 'instruments', label: 'Instruments (space-separated)', value: instruments },
      { name: 'note', label: 'Note', value: note },
    ],
  });
  if (!v) return;
  const r = runtimePatch(v, { params, instruments, note });
  if (!r.ok) {
    toast(r.error, 'error');
    return;
  }
  if (Object.keys(r.patch).length === 0) {
    toast(`${id}: nothing changed`, 'info');
    return;
  }
  await runCommand(`change ${id}`, (token) => commands.changeRuntime(id, r.patch, token));
  await store.refresh(['strategies']);
}

/** The fields of a change the operator edited (compared with what the dialog opened on), or why it cannot be sent. */
export function runtimePatch(
  v: Readonly<Record<string, string>>,
  was: { readonly params: string; readonly instruments: string; readonly note: string },
): { ok: true; patch: Record<string, unknown> } | { ok: false; error: string } {
  const r = runtimeSpec({ params: v.params ?? '', instruments: v.instruments ?? '', note: v.note ?? '' });
  if (!r.ok) return r;
  const patch: Record<string, unknown> = {};
  if ((v.params ?? '').trim() !== was.params && r.spec.params) patch.params = r.spec.params;
  if ((v.instruments ?? '').trim() !== was.instruments) {
    if (!r.spec.instruments) return { ok: false, error: 'instruments cannot be empty: name at least one' };
    patch.instruments = r.spec.instruments;
  }
  if ((v.note ?? '').trim() !== was.note) patch.note = (v.note ?? '').trim();
  return { ok: true, patch };
}

async function remove(store: Store, id: string): Promise<void> {
  const v = await confirmDialog({
    title: `Remove ${id}?`,
    body: 'The runtime entry stops and its signals are withdrawn from the posture; the catalog is not touched.',
    confirmLabel: 'Remove',
    danger: true,
    fields: [{ name: 'reason', label: 'Reason', value: '', required: true }],
  });
  if (!v) return;
  await runCommand(`remove ${id}`, (token) => commands.removeRuntime(id, v.reason ?? '', token));
  await store.refresh(['strategies']);
}

/** The entry an operator typed, or why it cannot be sent. */
export function runtimeSpec(v: Readonly<Record<string, string>>): { ok: true; spec: Record<string, unknown> } | { ok: false; error: string } {
  const spec: Record<string, unknown> = { id: (v.id ?? '').trim(), base: (v.base ?? '').trim() };
  const params = (v.params ?? '').trim();
  if (params) {
    try {
      const p: unknown = JSON.parse(params);
      if (typeof p !== 'object' || p === null || Array.isArray(p)) return { ok: false, error: 'params must be a JSON object, e.g. {"lookback": 60}' };
      spec.params = p;
    } catch {
      return { ok: false, error: 'params is not JSON: write it as {"name": value}' };
    }
  }
  const instruments = (v.instruments ?? '').split(/[\s,]+/).filter((x) => x !== '');
  if (instruments.length > 0) spec.instruments = instruments.map((x) => x.toUpperCase());
  const note = (v.note ?? '').trim();
  if (note) spec.note = note;
  return { ok: true, spec };
}

export interface RuntimeBar {
  readonly el: HTMLElement;
  render(list: readonly StrategyVM[]): void;
}

/** The line above the table: how many runtime entries run, and the Add control. */
export function createRuntimeBar(store: Store): RuntimeBar {
  const count = h('span', { 'data-runtime': 'count' });
  const add = h('button', { type: 'button', class: 'small primary-outline', 'data-action': 'add-runtime' }, 'Add entry…');
  add.addEventListener('click', () => void open());
  async function open(): Promise<void> {
    const v = await confirmDialog({
      title: 'Add a runtime entry',
      body: 'A variant of a catalog entry (its id as base, parameters to change as JSON, other instruments), or a control: base buy_and_hold or flat_control. The daemon checks it against the base\'s bounds.',
      confirmLabel: 'Add',
      fields: [
        { name: 'id', label: 'Id (a-z 0-9 _ . -)', required: true },
        { name: 'base', label: 'Base (catalog id or control)', required: true },
        { name: 'params', label: 'Params (JSON)', value: '' },
        { name: 'instruments', label: 'Instruments (space-separated)', value: '' },
        { name: 'note', label: 'Note', value: '' },
      ],
    });
    if (!v) return;
    const r = runtimeSpec(v);
    if (!r.ok) {
      toast(r.error, 'error');
      return;
    }
    await runCommand(`add ${String(r.spec.id)}`, (token) => commands.addRuntime(r.spec, token));
    await store.refresh(['strategies']);
  }
  return {
    el: h('div.runtime-bar', {}, count, add),
    render(list) {
      const n = list.filter((s) => s.origin).length;
      setText(count, `${n} runtime ${n === 1 ? 'entry' : 'entries'}`);
      add.disabled = !store.connected;
    },
  };
}
