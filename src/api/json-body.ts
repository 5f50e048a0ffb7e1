import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ResourceLimits } from 'node:worker_threads';
import { errorCodes, type FastifyInstance, type FastifySchemaCompiler } from 'fastify';
import type { GraphData, ImportReport } from '../graph/model.js';
import { builtEntry, OffThread } from '../io/off-thread.js';

/**
 * Large Ripple JSON request bodies (`POST /graphs`, `PUT /graphs/:id`) parsed, validated and built off the event loop
 * (issue 14, "always live"): a 4 MB body of 100k customers took the main thread for long enough (JSON.parse, the zod
 * schema over every customer and tie, the column build) that /health waited and the load shedder refused the next
 * request. The route's content-type parser hands a body of OFF_THREAD_JSON_CHARS or more over as a DeferredJson
 * on routes whose config says `offThreadJson: true` (smaller ones, and other routes' bodies, parse as before, with
 * Fastify's own parser), the route's validator (deferringValidatorCompiler) lets it through, and the handler
 * sends it to this app's JSON body thread (json-body-worker.ts, heap capped at RIPPLE_IMPORT_HEAP), which runs the
 * same three steps with the same code: the answers (201, the 400 for bad JSON, the validation 400 with its field
 * list, the parser's 400) are the ones the in-thread path gives.
 */

/** Bodies of at least this many characters parse off-thread (below, a few milliseconds of work). */
export const OFF_THREAD_JSON_CHARS = 256 * 1024;

type PoisonAction = 'error' | 'remove' | 'ignore';

export interface JsonBodyTask {
  text: string;
  protoAction: PoisonAction;
  constructorAction: PoisonAction;
}

/** One zod issue in the form Fastify's validation errors take (what the API's error handler reads). */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message: string;
  params: { keys?: string[] };
}

type Answer =
  | { kind: 'invalid-json' }
  | { kind: 'validation'; issues: ValidationIssue[] }
  | { kind: 'graph'; data: GraphData; report: ImportReport };

/** A request body left unparsed by the content-type parser: the handler parses it off-thread. */
export class DeferredJson {
  constructor(readonly text: string) {}
}

/** Fastify's validator for the route, but a DeferredJson body passes (it is validated off-thread). */
export const deferringValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const inner = validatorCompiler(route as never) as (data: unknown) => unknown;
  return ((data: unknown) => (data instanceof DeferredJson ? { value: data } : inner(data))) as never;
};

export class JsonBodies {
  private readonly thread: OffThread;
  private readonly protoAction: PoisonAction;
  private readonly constructorAction: PoisonAction;

  constructor(app: FastifyInstance, opts: { resourceLimits?: ResourceLimits } = {}) {
    this.thread = new OffThread(builtEntry(import.meta.url, './json-body-worker.js'), { name: 'JSON body', ...opts });
    this.protoAction = (app.initialConfig.onProtoPoisoning ?? 'error') as PoisonAction;
    this.constructorAction = (app.initialConfig.onConstructorPoisoning ?? 'error') as PoisonAction;
    const defaultJson = app.getDefaultJsonParser(this.protoAction, this.constructorAction);
    // In the calling plugin only (encapsulated): its JSON bodies.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      const deferrable = (req.routeOptions.config as { offThreadJson?: boolean } | undefined)?.offThreadJson === true;
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (deferrable && text.length >= OFF_THREAD_JSON_CHARS) done(null, new DeferredJson(text));
      else defaultJson(req, text, done);
    });
    app.addHook('onClose', async () => this.thread.close());
  }

  /**
   * The graph of a deferred body, or the error the in-thread path would have raised: Fastify's invalid-JSON 400, a
   * validation 400 (the error handler lists its fields), or the parser's ParseError.
   */
  async graph(body: DeferredJson): Promise<{ data: GraphData; report: ImportReport }> {
    const task: JsonBodyTask = { text: body.text, protoAction: this.protoAction, constructorAction: this.constructorAction };
    const a = await this.thread.run<Answer>('ripple-json', task);
    if (a.kind === 'invalid-json') throw new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
    if (a.kind === 'validation') {
      throw Object.assign(new Error(`body: ${a.issues.length} invalid field(s)`), { statusCode: 400, validation: a.issues, validationContext: 'body' });
    }
    return { data: a.data, report: a.report };
  }
}
