/**
 * Confirmation dialogs for operator commands, toasts for their outcomes, and
 * the operator token (asked for by the page, kept in sessionStorage only, so
 * it goes when the tab closes; never in the bundle).
 */
import { h } from './dom.js';

const TOKEN_KEY = 'qgtm.operatorToken';

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives as long as the field's value.
  }
  for (const fn of tokenListeners) fn(token);
}

const tokenListeners = new Set<(t: string) => void>();
export function onToken(fn: (t: string) => void): void {
  tokenListeners.add(fn);
}

export interface Field {
  readonly name: string;
  readonly label: string;
  readonly value?: string;
  readonly required?: boolean;
  /** The value typed must equal this (e.g. FLATTEN for the kill switch). */
  readonly mustEqual?: string;
}

export interface ConfirmSpec {
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly fields?: readonly Field[];
}

/** Opens a modal; resolves with the field values on confirm, null on cancel. */
export function confirmDialog(spec: ConfirmSpec): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    const inputs = (spec.fields ?? []).map((f) => {
      const input = h('input', { name: f.name, value: f.value ?? '', autocomplete: 'off', spellcheck: 'false', placeholder: f.mustEqual ?? '' });
      return { f, input, label: h('label', {}, h('span', {}, f.label), input) };
    });
    const error = h('p.dialog-error', { role: 'alert' });
    const ok = h('button', { type: 'submit', class: spec.danger ? 'danger' : 'primary', 'data-action': 'confirm' }, spec.confirmLabel);
    const cancel = h('button', { type: 'button', 'data-action': 'cancel' }, 'Cancel');
    const form = h('form', { method: 'dialog' }, h('h3', {}, spec.title), h('p', {}, spec.body), ...inputs.map((i) => i.label), error, h('div.dialog-buttons', {}, cancel, ok));
    const dlg = h('dialog', { class: spec.danger ? 'danger' : '' }, form);
    let done = false;
    const finish = (v: Record<string, string> | null): void => {
      if (done) return;
      done = true;
      if (dlg.open) dlg.close();
      dlg.remove();
      resolve(v);
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const out: Record<string, string> = {};
      for (const { f, input } of inputs) {
        const v = input.value.trim();
        if (f.required && !v) {
          error.textContent = `${f.label} is required`;
          input.focus();
          return;
        }
        if (f.mustEqual !== undefined && v !== f.mustEqual) {
          error.textContent = `type ${f.mustEqual} to confirm`;
          input.focus();
          return;
        }
        out[f.name] = v;
      }
      finish(out);
    });
    cancel.addEventListener('click', () => finish(null));
    dlg.addEventListener('close', () => finish(null));
    document.body.append(dlg);
    dlg.showModal();
    (inputs.find((i) => i.f.mustEqual !== undefined)?.input ?? ok).focus();
  });
}

let toasts: HTMLElement | null = null;

/** A short message at the corner of the screen; errors stay longer. */
export function toast(text: string, kind: 'ok' | 'error' | 'info' = 'info'): void {
  if (!toasts) {
    toasts = h('div.toasts', { 'aria-live': 'polite' });
    document.body.append(toasts);
  }
  const t = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  toasts.prepend(t);
  setTimeout(() => t.remove(), kind === 'error' ? 12_000 : 6000);
}

/**
 * Runs an operator command with the session's token and reports the outcome
 * in a toast. Without a token, points the operator at the token field.
 */
export async function runCommand(label: string, send: (token: string) => Promise<{ ok: boolean; message: string }>): Promise<boolean> {
  const token = getToken();
  if (!token) {
    toast(`${label}: enter the operator token first (top right)`, 'error');
    document.querySelector<HTMLInputElement>('#token')?.focus();
    return false;
  }
  const r = await send(token);
  toast(r.ok ? `${label}: done` : `${label} failed: ${r.message}`, r.ok ? 'ok' : 'error');
  return r.ok;
}
