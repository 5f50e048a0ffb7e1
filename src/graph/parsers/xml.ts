import { createRequire } from 'node:module';
import { DOMParser, Document as XmlDocument } from '@xmldom/xmldom';
import { MultiGraph } from 'graphology';
import type { AbstractGraph, Attributes } from 'graphology-types';
import { ParseError, PayloadTooLargeError } from '../../errors.js';
import { clip, GraphBuilder } from '../builder.js';
import type { GraphData, ImportReport } from '../model.js';
import { readText, type ByteInput, type InputOptions } from './input.js';

export interface XmlGraphOptions extends InputOptions {
  format: 'gexf' | 'graphml';
  /** Non-empty: overrides the file's graph name. */
  name: string;
  /** Name when neither `name` nor the file gives one. */
  fallbackName: string;
  /** Given: overrides the file's edge directedness. */
  directed?: boolean;
  /** Most elements accepted (a DOM costs ~1.3 kB per element): more is a 413 (default XML_LIMITS.elements). */
  maxElements?: number;
  /** Deepest element nesting accepted: deeper is a 400 (default XML_LIMITS.depth). */
  maxDepth?: number;
}

/**
 * Bounds on an XML document, checked by a linear scan before any DOM is built: GEXF and GraphML nest 4 to 7
 * levels deep (gexf > graph > nodes > node > attvalues > attvalue), so 64 is generous; a DOM of xmldom holds about
 * 1.3 kB per element, so 1M elements is about 1.3 GB while parsing. Larger graphs: edge list, CSV or JSON.
 */
export const XML_LIMITS = { elements: 1_000_000, depth: 64 };

/**
 * Count elements and their nesting in one pass over the text (comments, CDATA, processing instructions,
 * doctype and quoted attribute values skipped); stop at the first bound exceeded. Malformed markup is left to
 * the real parser, which names its line.
 */
export function checkXmlShape(text: string, source: string, maxElements: number, maxDepth: number): { elements: number; depth: number } {
  let elements = 0;
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  let i = text.indexOf('<');
  while (i >= 0 && i < n - 1) {
    const c = text.charCodeAt(i + 1);
    if (c === 33 /* ! */) {
      const end = text.startsWith('<!--', i) ? text.indexOf('-->', i + 4) : text.startsWith('<![CDATA[', i) ? text.indexOf(']]>', i + 9) : text.indexOf('>', i + 2);
      if (end < 0) break;
      i = text.indexOf('<', end + 1);
      continue;
    }
    if (c === 63 /* ? */) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) break;
      i = text.indexOf('<', end + 2);
      continue;
    }
    if (c === 47 /* / */) {
      depth = Math.max(0, depth - 1);
      const end = text.indexOf('>', i + 2);
      if (end < 0) break;
      i = text.indexOf('<', end + 1);
      continue;
    }
    // A start tag: find its end outside quoted attribute values; "/>" closes it at once.
    let j = i + 1;
    let quote = 0;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (quote !== 0) {
        if (d === quote) quote = 0;
      } else if (d === 34 || d === 39) quote = d;
      else if (d === 62 /* > */) break;
    }
    if (j >= n) break;
    elements++;
    if (elements > maxElements) {
      throw new PayloadTooLargeError(`${source}: more than ${maxElements} XML elements (RIPPLE_MAX_XML_ELEMENTS); send large graphs as an edge list, CSV or Ripple JSON`);
    }
    if (text.charCodeAt(j - 1) !== 47 /* / */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (depth > maxDepth) throw new ParseError(source, lineAt(text, i), `XML nested deeper than ${maxDepth} elements (RIPPLE_MAX_XML_DEPTH)`);
    }
    i = text.indexOf('<', j + 1);
  }
  return { elements, depth: deepest };
}

type GraphologyParse = (G: typeof MultiGraph, source: unknown, options?: Record<string, unknown>) => AbstractGraph;
type ParserFactory = (domParser: unknown, documentClass: unknown) => GraphologyParse;

// graphology-gexf/-graphml bundle their own (older) xmldom; their parser factories take ours instead, so
// that we parse the document ourselves with strict error handling and hand them the DOM.
const require = createRequire(import.meta.url);
const parsers = {
  gexf: (require('graphology-gexf/common/parser.js') as ParserFactory)(DOMParser, XmlDocument),
  graphml: (require('graphology-graphml/common/parser.js') as ParserFactory)(DOMParser, XmlDocument),
};

/**
 * GEXF and GraphML through graphology-gexf / graphology-graphml. The document is read whole (bounded by
 * `maxBytes`), refused if it declares entities (`<!ENTITY`: entity-expansion bombs, external entities), and
 * parsed strictly (malformed XML names its line). Node attributes label/followers/value/segment/activity and
 * edge attributes weight/p/channel are kept; directedness comes from the file (GEXF `defaultedgetype`, GraphML
 * `edgedefault`, per-edge overrides) unless `directed` is given. In a mixed file (some edges directed), the
 * graph is directed and each undirected edge becomes two ties.
 */
export async function parseXmlGraph(input: ByteInput, opts: XmlGraphOptions): Promise<{ data: GraphData; report: ImportReport }> {
  const { source, format } = opts;
  const text = await readText(input, opts);
  const fail = (line: number | undefined, problem: string): never => {
    throw new ParseError(source, line, problem);
  };
  if (text.trim() === '') fail(undefined, 'empty file (no customers or ties)');
  const entity = /<!ENTITY/i.exec(text);
  if (entity) {
    fail(lineAt(text, entity.index), 'XML entity declarations (<!ENTITY) are not accepted: they allow entity-expansion bombs and external entities');
  }
  checkXmlShape(text, source, opts.maxElements ?? XML_LIMITS.elements, opts.maxDepth ?? XML_LIMITS.depth);
  let doc: XmlDocument | undefined;
  let first: { line: number | undefined; message: string } | undefined;
  try {
    doc = new DOMParser({
      onError: (level: string, message: string, ctx?: { locator?: { lineNumber?: number } }) => {
        if (level === 'warning') return;
        const line = ctx?.locator?.lineNumber;
        first ??= { line: line && line > 0 ? line : undefined, message };
        throw new Error(message); // stop at the first error (xmldom throws on fatal ones anyway)
      },
    }).parseFromString(text, 'application/xml');
  } catch (e) {
    first ??= { line: undefined, message: (e as Error).message };
  }
  if (first !== undefined || doc === undefined) return fail(first?.line, `malformed XML: ${first?.message ?? 'unreadable document'}`);
  const root = doc.documentElement;
  const expected = format === 'gexf' ? 'gexf' : 'graphml';
  if (!root || root.localName?.toLowerCase() !== expected) {
    fail(undefined, `not a ${format === 'gexf' ? 'GEXF' : 'GraphML'} document: the root element is <${root?.nodeName ?? ''}>, expected <${expected}>`);
  }
  if (doc.getElementsByTagName('graph').length === 0) fail(undefined, `no <graph> element`);
  const undeclared = firstUndeclaredEndpoint(doc);
  if (undeclared) fail(undeclared.line, `edge to undeclared node ${JSON.stringify(clip(undeclared.id))}`);

  let graph: AbstractGraph;
  try {
    // A multigraph from the start: parallel edges are merged (and counted) by the builder, not by copies.
    graph = parsers[format](MultiGraph, doc, { addMissingNodes: false, allowUndeclaredAttributes: true });
  } catch (e) {
    return fail(undefined, `invalid ${format === 'gexf' ? 'GEXF' : 'GraphML'}: ${(e as Error).message.replace(/^graphology-\w+\/parser: /, '')}`);
  }

  const fileDirected = graph.directedSize > 0;
  const directed = opts.directed ?? fileDirected;
  const fileName = stringAttr(graph.getAttributes(), 'name') ?? stringAttr(graph.getAttributes(), 'title');
  const b = new GraphBuilder({ name: opts.name !== '' ? opts.name : (fileName ?? opts.fallbackName), directed, source, format, parallelTies: opts.parallelTies });
  graph.forEachNode((id, a) => {
    b.addCustomer(id, {
      label: stringAttr(a, 'label') ?? null,
      followers: attr(a, 'followers') as number | null,
      value: attr(a, 'value') as number | null,
      segment: stringAttr(a, 'segment') ?? null,
      activity: attr(a, 'activity') as number | null,
    });
  });
  b.closeCustomers();
  let mirrored = 0;
  graph.forEachEdge((_key, a, s, t, _sa, _ta, undirectedEdge) => {
    const attrs = { weight: attr(a, 'weight') as number | null, p: attr(a, 'p') as number | null, channel: stringAttr(a, 'channel') ?? null };
    b.addTie(s, t, attrs);
    // An undirected edge of the file in a directed graph is two arcs.
    if (directed && undirectedEdge && s !== t) {
      b.addTie(t, s, attrs);
      mirrored++;
    }
  });
  b.records = graph.order + graph.size;
  const result = b.finish();
  const warnings: string[] = [];
  if (mirrored > 0) warnings.push(`${mirrored} undirected edges of the file were read as two directed ties each`);
  if (!directed && fileDirected) warnings.push('directed edges of the file were read as undirected ties');
  if (warnings.length > 0) result.report.warnings = warnings;
  return result;
}

/** Own attribute value, or null when absent or an empty string. */
function attr(a: Attributes, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(a, key)) return null;
  const v = a[key];
  return v === '' || v === undefined ? null : v;
}

function stringAttr(a: Attributes, key: string): string | undefined {
  const v = attr(a, key);
  if (v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

/** The first <edge> whose source or target is not a declared <node> id, with its line. */
function firstUndeclaredEndpoint(doc: XmlDocument): { id: string; line: number | undefined } | null {
  const nodes = doc.getElementsByTagName('node');
  const ids = new Set<string>();
  for (let i = 0; i < nodes.length; i++) ids.add(nodes[i].getAttribute('id') ?? '');
  const edges = doc.getElementsByTagName('edge');
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    for (const end of ['source', 'target']) {
      const id = e.getAttribute(end);
      if (id === null || !ids.has(id)) {
        const line = (e as unknown as { lineNumber?: number }).lineNumber;
        return { id: id ?? `(no ${end})`, line };
      }
    }
  }
  return null;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
