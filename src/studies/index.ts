/** Research studies (simulations/*.yaml): schema, grid expansion, runner, CSV/NDJSON rows, SVG charts. */
export { parseStudy, studySchema, gridStudySchema, cascadeFitStudySchema, treeFitStudySchema, studyJsonSchema, formatPath } from './schema.js';
export type { Study, GridStudy, CascadeFitStudy, TreeFitStudy, GraphSpec, ModelSpec, StrategySpec, StudyIssue } from './schema.js';
export { expandCells, expandModel, expandStrategies, cellParams, cellRequest, type Cell, type ModelPoint, type StrategyPoint } from './grid.js';
export { runStudyFile, type RunStudyOptions, type StudyRunSummary, type Manifest } from './runner.js';
export { gridRow, toCsv, csvField, TIMING_COLUMNS, type CellRow } from './rows.js';
export { gridCharts, type ChartFile, type ChartKind } from './charts.js';
export { lineChart, histogramChart, niceTicks, type Series, type ChartOptions } from './svg.js';
export { parseCascades, pearson, spearman, median, predictionMetrics, logGridGolden, linearFit, type Cascade } from './cascades.js';
export { STUDY_CODE_VERSION } from './io.js';
