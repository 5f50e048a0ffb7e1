import { ApiError } from './api.js';
import { esc } from './format.js';
import { paramLabel, rangeText, type Param } from './models.js';

/**
 * The form of a catalogue model's parameters, built from the schema the API publishes (models.ts): one field per
 * parameter, its range and default from the schema, its description as the hint. Values go to the API as typed; the
 * API's validation is the one that counts, and its field list marks what it refused.
 */

function defaultText(p: Param): string {
  return p.default === undefined ? '' : String(p.default);
}

/** The form a field belongs to: the scenario form's (`param-NAME`), or the compare view's setting B (`b-param-NAME`). */
export interface FormOf {
  prefix: string;
  /** Said after the label to screen readers and the accessible name ("Beta, setting B"); none in the main form. */
  suffix?: string;
  /** The hint without the description (the main form shows it). */
  brief?: boolean;
}
const MAIN: FormOf = { prefix: 'param' };

/**
 * One parameter: its label, an input with the schema's range and default (or `value`), and the schema's description
 * as the hint.
 */
export function paramField(p: Param, form: FormOf = MAIN, value?: unknown): HTMLElement {
  const div = document.createElement('div');
  div.className = 'field';
  const id = `${form.prefix}-${p.name}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = paramLabel(p.name);
  if (form.suffix) {
    const sr = document.createElement('span');
    sr.className = 'sr-only';
    sr.textContent = `, ${form.suffix}`;
    label.append(sr);
  }
  let input: HTMLInputElement | HTMLSelectElement;
  if (p.kind === 'choice') {
    const sel = document.createElement('select');
    sel.append(...(p.options ?? []).map((o) => new Option(o, o)));
    if (p.default !== undefined) sel.value = String(p.default);
    input = sel;
  } else {
    const inp = document.createElement('input');
    if (p.kind === 'flag') {
      inp.type = 'checkbox';
      inp.checked = p.default === true;
    } else if (p.kind === 'number' || p.kind === 'integer') {
      inp.type = 'number';
      if (p.min !== undefined) inp.min = String(p.min);
      if (p.max !== undefined) inp.max = String(p.max);
      inp.step = p.kind === 'integer' ? '1' : 'any';
      inp.value = defaultText(p);
    } else {
      inp.type = 'text';
      inp.spellcheck = false;
      inp.value = defaultText(p);
    }
    input = inp;
  }
  if (value !== undefined) {
    if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true;
    else input.value = String(value);
  }
  input.id = id;
  input.dataset.param = p.name;
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.id = `${id}-hint`;
  const facts = [rangeText(p), p.default !== undefined ? `default ${defaultText(p)}` : 'optional'].filter(Boolean).join(', ');
  hint.innerHTML = `<code>${esc(p.name)}</code> (${esc(facts)})${form.brief ? '' : `: ${esc(p.description)}`}`;
  input.setAttribute('aria-describedby', hint.id);
  div.append(label, input, hint);
  return div;
}

/** The parameters as typed: sent as they are (the API validates them and says what is wrong); empty = the default. */
export function paramValues(params: readonly Param[], form: FormOf = MAIN): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    const el = document.getElementById(`${form.prefix}-${p.name}`) as HTMLInputElement | HTMLSelectElement | null;
    if (!el) continue;
    el.removeAttribute('aria-invalid');
    if (p.kind === 'flag') {
      out[p.name] = (el as HTMLInputElement).checked;
      continue;
    }
    const v = el.value.trim();
    if (v === '') continue;
    if (p.kind === 'number' || p.kind === 'integer') out[p.name] = Number(v);
    else if (p.kind === 'text' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) out[p.name] = Number(v); // "24" time units, "PT12H" a duration
    else out[p.name] = v;
  }
  return out;
}

/** A 400 names the fields: mark them (in `form`) and put the focus on the first. */
export function markInvalid(e: unknown, form: FormOf = MAIN): void {
  if (!(e instanceof ApiError)) return;
  let first: HTMLElement | undefined;
  for (const err of e.errors) {
    const name = err.path.replace(/^body\./, '').split(/[.[]/)[0];
    const el = document.getElementById(`${form.prefix}-${name}`);
    if (!el) continue;
    el.setAttribute('aria-invalid', 'true');
    first ??= el;
  }
  first?.focus();
}
