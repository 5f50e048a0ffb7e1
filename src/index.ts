/**
 * Ripple as a library: the same functions the API and the CLI call.
 *
 *   import { readGraphFile, compile, graphInfo } from 'ripple';
 *
 * Engine modules (diffusion, influence, scenarios) are re-exported here as they land.
 */
export * from './errors.js';
export * from './graph/model.js';
export { GraphBuilder, type BuilderOptions } from './graph/builder.js';
export { compile, compiledBytes, indexOf, toTransfer, fromTransfer, type CompiledGraph, type CompiledGraphTransfer } from './graph/compile.js';
export { graphInfo, degreeStats, degreeOf, weakComponents, type GraphInfo, type DegreeStats } from './graph/stats.js';
export { detectFormat, parseGraph, toRippleJson } from './graph/parse.js';
export { readGraphFile } from './io/read-graph-file.js';
export { createStore, FileStore, CompiledCache, type GraphStore, type GraphSummary } from './store/index.js';
export { loadConfig, ConfigError, parseBytes, type Config, type ConfigOverrides } from './config.js';
export { buildApp, type AppDeps } from './api/app.js';
