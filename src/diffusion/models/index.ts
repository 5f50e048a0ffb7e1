/** The model registry and the declaration every model folder fills in (CONTRIBUTING.md, "Adding a model"). */
export { MODEL_DEFINITIONS, MODELS, findModel, modelOf, modelParameters, simulationRequestSchema } from './registry.js';
export type { ModelName, SimulationPlan, SimulationRequest, SimulationRequestInput } from './registry.js';
export { modelRequest, pField, probabilityField } from '../request.js';
export type { BatchSetup, ModelDefinition, ModelOutputs, ModelRunner, PlanBase, SummaryContext } from './model.js';
export { simpleRunner } from './model.js';
