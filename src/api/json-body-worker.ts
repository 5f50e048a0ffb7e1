/**
 * Worker-thread entry of the JSON body thread (src/api/json-body.ts): a large Ripple JSON request body parsed
 * (secure-json-parse, as Fastify's own JSON parser), validated (the route's zod schema, as Fastify's validator) and
 * built into graph data (graphFromRippleDoc, as the route), off the event loop.
 *
 * Task `ripple-json` { text, protoAction, constructorAction } answers one of
 *   { kind: 'invalid-json' }                       — what Fastify's parser would refuse;
 *   { kind: 'validation', issues }                 — zod's issues in Fastify's validation-error form;
 *   { kind: 'graph', data, report }                — the graph data (typed arrays moved) and its import report;
 * a ParseError of graphFromRippleDoc is thrown (it keeps its status, code and details across the boundary).
 */
import { parentPort } from 'node:worker_threads';
import sjson from 'secure-json-parse';
import { graphFromRippleDoc } from '../graph/parsers/json.js';
import { serveTasks, type TaskAnswer } from '../io/off-thread.js';
import { graphDataBuffers } from '../store/codec-thread.js';
import type { JsonBodyTask, ValidationIssue } from './json-body.js';
import { rippleJsonSchema } from './schemas.js';

const port = parentPort;
if (!port) throw new Error('json-body-worker.ts must run in a worker thread');

serveTasks(port, new Map<string, (payload: never) => TaskAnswer>([
  ['ripple-json', (task: JsonBodyTask) => {
    let doc: unknown;
    try {
      doc = sjson.parse(task.text, undefined, { protoAction: task.protoAction, constructorAction: task.constructorAction });
    } catch {
      return { result: { kind: 'invalid-json' } };
    }
    const checked = rippleJsonSchema.safeParse(doc);
    if (!checked.success) {
      // fastify-type-provider-zod's createValidationError, without the inputs (they would clone the whole document).
      const issues: ValidationIssue[] = checked.error.issues.map((i) => ({
        keyword: i.code,
        instancePath: `/${i.path.map(String).join('/')}`,
        schemaPath: `#/${i.path.map(String).join('/')}/${i.code}`,
        message: i.message,
        params: 'keys' in i && Array.isArray(i.keys) ? { keys: i.keys } : {},
      }));
      return { result: { kind: 'validation', issues } };
    }
    const body = checked.data;
    const { data, report } = graphFromRippleDoc(body, { name: body.name, fallbackName: body.name, source: 'request body' });
    return { result: { kind: 'graph', data, report }, transfer: graphDataBuffers(data) };
  }],
]));
