/** Library entry point for in-process use: the same pipeline as the HTTP API. */
export {
  createGateway,
  type Gateway,
  type GatewayOptions,
  type OutcomeReport,
} from './app/create-gateway.js';
export { loadConfigFile, parseConfigText, validateConfig } from './app/config-loader.js';
export { configSchema, type GatewayConfig, type GatewayConfigInput } from './app/config-schema.js';
export { createHttpApp } from './adapters/http/app.js';
export type {
  ActionV1,
  ContextV1,
  DecideRequestV1,
  AgentIdentity,
  Credential,
  ImpactV1,
} from './core/action.js';
export type {
  DecisionV1,
  Effect,
  MatchedRule,
  Obligations,
  ExplainEntry,
  StepRecord,
} from './core/decision.js';
export { GatewayError, ERROR_REGISTRY, type ErrorCode } from './core/errors.js';
