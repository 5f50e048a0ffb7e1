import { UnprocessableError } from '../errors.js';
import { clip } from './builder.js';
import { customerAt, type GraphData } from './model.js';

/**
 * Graph export (GET /graphs/:id/export): Ripple JSON, CSV (ties, or customers), GEXF 1.3 and GraphML, written
 * as a sequence of text chunks so that a ten-million-tie graph streams in bounded memory. Each format reads back
 * through Ripple's own import (round trip: same customers, ties and attributes; the graph's `defaultValue` and
 * `currency` survive only in JSON). Pure: no I/O.
 */

export const EXPORT_FORMATS = ['json', 'csv', 'gexf', 'graphml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type CsvTable = 'ties' | 'customers';

export const EXPORT_MEDIA: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  graphml: 'application/graphml+xml; charset=utf-8',
};

const CHUNK = 1 << 16;

/** Concatenate small pieces into ~64 kB chunks. */
function* chunked(parts: Iterable<string>): Generator<string> {
  let buf = '';
  for (const p of parts) {
    buf += p;
    if (buf.length >= CHUNK) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

const has = (a: Float64Array | null, i: number): a is Float64Array => a !== null && !Number.isNaN(a[i]);

function* jsonParts(data: GraphData): Generator<string> {
  const head: Record<string, unknown> = { name: data.name, directed: data.directed, defaultValue: data.defaultValue };
  if (data.currency !== undefined) head.currency = data.currency;
  if (data.stepDuration !== undefined) head.stepDuration = data.stepDuration;
  yield JSON.stringify(head).slice(0, -1) + ',"customers":[';
  for (let i = 0; i < data.ids.length; i++) yield (i ? ',' : '') + JSON.stringify(customerAt(data, i));
  yield '],"ties":[';
  for (let j = 0; j < data.src.length; j++) yield (j ? ',' : '') + JSON.stringify(tieAt(data, j));
  yield ']}\n';
}

function tieAt(data: GraphData, j: number): { source: string; target: string; weight?: number; p?: number; channel?: string } {
  const t: { source: string; target: string; weight?: number; p?: number; channel?: string } = { source: data.ids[data.src[j]], target: data.ids[data.dst[j]] };
  if (has(data.weight, j)) t.weight = data.weight[j];
  if (has(data.p, j)) t.p = data.p[j];
  if (data.channel && data.channel[j] >= 0) t.channel = data.channels[data.channel[j]];
  return t;
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR/LF or surrounding blanks (the importer trims those). */
function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}
const num = (a: Float64Array | null, i: number) => (has(a, i) ? String(a[i]) : '');

function* csvTieParts(data: GraphData): Generator<string> {
  yield 'source,target,weight,p,channel\r\n';
  for (let j = 0; j < data.src.length; j++) {
    const ch = data.channel && data.channel[j] >= 0 ? csvField(data.channels[data.channel[j]]) : '';
    yield `${csvField(data.ids[data.src[j]])},${csvField(data.ids[data.dst[j]])},${num(data.weight, j)},${num(data.p, j)},${ch}\r\n`;
  }
}

function* csvCustomerParts(data: GraphData): Generator<string> {
  yield 'id,label,followers,value,segment,activity\r\n';
  for (let i = 0; i < data.ids.length; i++) {
    const label = data.labels?.[i];
    const segment = data.segments?.[i];
    yield `${csvField(data.ids[i])},${label != null ? csvField(label) : ''},${num(data.followers, i)},${num(data.value, i)},${segment != null ? csvField(segment) : ''},${num(data.activity, i)}\r\n`;
  }
}

/** Characters XML 1.0 cannot carry at all (escaping does not help): C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

/** A 422 naming the first text XML cannot hold, checked before the first byte is sent. */
function checkXmlText(data: GraphData, format: string): void {
  const bad = (what: string, s: string | null | undefined) => {
    if (s != null && NOT_XML.test(s)) throw new UnprocessableError(`${what} ${JSON.stringify(clip(s))} holds characters that XML cannot carry; export as json or csv instead of ${format}`);
  };
  bad('graph name', data.name);
  for (let i = 0; i < data.ids.length; i++) {
    bad('customer id', data.ids[i]);
    bad('label of customer', data.labels?.[i]);
    bad('segment of customer', data.segments?.[i]);
  }
  for (const c of data.channels) bad('channel', c);
}

const NODE_ATTRS = [['followers', 'double'], ['value', 'double'], ['segment', 'string'], ['activity', 'double']] as const;
const EDGE_ATTRS = [['p', 'double'], ['channel', 'string']] as const;

function nodeValues(data: GraphData, i: number): [string, string][] {
  const out: [string, string][] = [];
  if (has(data.followers, i)) out.push(['followers', String(data.followers[i])]);
  if (has(data.value, i)) out.push(['value', String(data.value[i])]);
  const seg = data.segments?.[i];
  if (seg != null) out.push(['segment', seg]);
  if (has(data.activity, i)) out.push(['activity', String(data.activity[i])]);
  return out;
}

function edgeValues(data: GraphData, j: number): [string, string][] {
  const out: [string, string][] = [];
  if (has(data.p, j)) out.push(['p', String(data.p[j])]);
  if (data.channel && data.channel[j] >= 0) out.push(['channel', data.channels[data.channel[j]]]);
  return out;
}

function* gexfParts(data: GraphData): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.3" version="1.3">\n';
  yield `  <meta><title>${xml(data.name)}</title><creator>Ripple</creator></meta>\n`;
  yield `  <graph defaultedgetype="${data.directed ? 'directed' : 'undirected'}" mode="static">\n`;
  yield '    <attributes class="node">\n';
  for (const [k, t] of NODE_ATTRS) yield `      <attribute id="${k}" title="${k}" type="${t}"/>\n`;
  yield '    </attributes>\n    <attributes class="edge">\n';
  for (const [k, t] of EDGE_ATTRS) yield `      <attribute id="${k}" title="${k}" type="${t}"/>\n`;
  yield '    </attributes>\n    <nodes>\n';
  for (let i = 0; i < data.ids.length; i++) {
    const label = data.labels?.[i];
    const vals = nodeValues(data, i);
    const open = `      <node id="${xml(data.ids[i])}"${label != null ? ` label="${xml(label)}"` : ''}`;
    yield vals.length === 0 ? `${open}/>\n` : `${open}><attvalues>${vals.map(([k, v]) => `<attvalue for="${k}" value="${xml(v)}"/>`).join('')}</attvalues></node>\n`;
  }
  yield '    </nodes>\n    <edges>\n';
  for (let j = 0; j < data.src.length; j++) {
    const vals = edgeValues(data, j);
    const w = has(data.weight, j) ? ` weight="${data.weight[j]}"` : '';
    const open = `      <edge id="${j}" source="${xml(data.ids[data.src[j]])}" target="${xml(data.ids[data.dst[j]])}"${w}`;
    yield vals.length === 0 ? `${open}/>\n` : `${open}><attvalues>${vals.map(([k, v]) => `<attvalue for="${k}" value="${xml(v)}"/>`).join('')}</attvalues></edge>\n`;
  }
  yield '    </edges>\n  </graph>\n</gexf>\n';
}

function* graphmlParts(data: GraphData): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n';
  yield '  <key id="name" for="graph" attr.name="name" attr.type="string"/>\n';
  yield '  <key id="label" for="node" attr.name="label" attr.type="string"/>\n';
  for (const [k, t] of NODE_ATTRS) yield `  <key id="${k}" for="node" attr.name="${k}" attr.type="${t}"/>\n`;
  yield '  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>\n';
  for (const [k, t] of EDGE_ATTRS) yield `  <key id="e_${k}" for="edge" attr.name="${k}" attr.type="${t}"/>\n`;
  yield `  <graph id="G" edgedefault="${data.directed ? 'directed' : 'undirected'}">\n    <data key="name">${xml(data.name)}</data>\n`;
  for (let i = 0; i < data.ids.length; i++) {
    const label = data.labels?.[i];
    const vals: [string, string][] = label != null ? [['label', label], ...nodeValues(data, i)] : nodeValues(data, i);
    const open = `    <node id="${xml(data.ids[i])}"`;
    yield vals.length === 0 ? `${open}/>\n` : `${open}>${vals.map(([k, v]) => `<data key="${k}">${xml(v)}</data>`).join('')}</node>\n`;
  }
  for (let j = 0; j < data.src.length; j++) {
    const vals: [string, string][] = edgeValues(data, j).map(([k, v]) => [`e_${k}`, v]);
    if (has(data.weight, j)) vals.unshift(['weight', String(data.weight[j])]);
    const open = `    <edge id="e${j}" source="${xml(data.ids[data.src[j]])}" target="${xml(data.ids[data.dst[j]])}"`;
    yield vals.length === 0 ? `${open}/>\n` : `${open}>${vals.map(([k, v]) => `<data key="${k}">${xml(v)}</data>`).join('')}</edge>\n`;
  }
  yield '  </graph>\n</graphml>\n';
}

/**
 * The graph as text chunks in `format` (`table` picks the CSV file: ties, the default, or customers). XML
 * formats are checked first: a graph with text XML cannot carry is a 422 before anything is written.
 */
export function exportGraph(data: GraphData, format: ExportFormat, table: CsvTable = 'ties'): Iterable<string> {
  switch (format) {
    case 'json':
      return chunked(jsonParts(data));
    case 'csv':
      return chunked(table === 'customers' ? csvCustomerParts(data) : csvTieParts(data));
    case 'gexf':
      checkXmlText(data, format);
      return chunked(gexfParts(data));
    case 'graphml':
      checkXmlText(data, format);
      return chunked(graphmlParts(data));
  }
}
