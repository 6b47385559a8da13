/**
 * Composing operator reasons without doubling a prefix. The gateway fills
 * `by` with "operator" when the caller names nobody, so every place that
 * writes "operator <by> ..." or "<by>: ..." must not repeat a word the text
 * already starts with ("operator operator set floor ...").
 */

/** `prefix` + `text`, unless `text` already starts with `prefix` (case- and space-insensitive). */
export function prefixOnce(prefix: string, text: string): string {
  const p = prefix.trim().toLowerCase();
  const t = text.trimStart();
  if (p !== '' && t.toLowerCase().startsWith(p)) return t;
  return prefix + t;
}

/** Who sent an operator command, as the subject of a sentence: "operator", "operator alice". */
export function operatorLabel(by: string | null | undefined): string {
  const b = (by ?? '').trim();
  return b === '' ? 'operator' : prefixOnce('operator ', b);
}

/** An operator floor's reason: the typed reason, led by who set it unless that is the anonymous "operator". */
export function floorReasonOf(by: string | null | undefined, reason: string): string {
  const b = (by ?? '').trim();
  return b === '' || b.toLowerCase() === 'operator' ? reason : prefixOnce(`${b}: `, reason);
}
