/** Brand scenarios (DESIGN §6): scenario specs -> engine runs (voice model) -> impact reports, compare mode, riskiest customers. */
export {
  scenarioRequestSchema, variantSchema, riskiestRequestSchema, impactSchema, SCENARIO_DEFAULTS, resolveSpec, parseScenarioInput,
  type ScenarioSpec, type ScenarioRequestInput, type VariantInput, type RiskiestRequest, type RiskiestRequestInput,
} from './schema.js';
export { runScenario, resolveScenario, buildReport, engineRequest, checkCustomers, scenarioFacts, readable, METRICS, type ScenarioFacts, type OpinionPeak, type OpinionTimeToPeak, type ScenarioReport, type ScenarioRuns, type ScenarioOptions, type Money, type Assumptions } from './report.js';
export { runScenarioRequest, prepareScenarioRequest, prepareParsedScenario, isPreparedScenario, isCompare, changeOf, type CompareResult, type Difference, type Change, type MoneyDifference, type ScenarioAnswer, type ScenarioContext, type PreparedScenario } from './compare.js';
export { pairedDifference, type PairedDifference } from './paired.js';
export { riskiestCustomers, prepareRiskiestRequest, prepareParsedRiskiest, isPreparedRiskiest, type PreparedRiskiest, type RiskiestEntry, type RiskiestResult } from './riskiest.js';
export { reportCsv, hasCsv } from './csv.js';
export { scenarioSummary, compareSummary } from './readable.js';
