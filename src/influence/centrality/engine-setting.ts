import { InputError } from '../../errors.js';

/**
 * The CENTRALITY_ENGINE setting (local | gds | auto): parsed by config.ts, read by the engine choice in
 * ../gds.ts. Its own module so that the configuration does not load the GDS code.
 */
export const CENTRALITY_ENGINES = ['local', 'gds', 'auto'] as const;
export type CentralityEngine = (typeof CENTRALITY_ENGINES)[number];

export function parseCentralityEngine(value: string | undefined): CentralityEngine {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'local';
  if ((CENTRALITY_ENGINES as readonly string[]).includes(v)) return v as CentralityEngine;
  throw new InputError(`CENTRALITY_ENGINE: must be one of local, gds, auto (got ${JSON.stringify(value)})`);
}
