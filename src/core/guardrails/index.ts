/**
 * Guardrails: normalisation, detectors (PII, secrets, prompt injection, topics, word lists,
 * custom patterns), actions and redaction. See docs/guardrails.md.
 */
export { createGuardrails, type Guardrails, type GuardrailsDeps, type ScanOptions } from './engine.js';
export {
  guardrailsConfigSchema,
  DEFAULT_PII_ENTITIES,
  INJECTION_THRESHOLDS,
  ENCODINGS,
  type GuardrailsConfig,
  type GuardrailsConfigInput,
  type AnonymizeConfig,
} from './config.js';
export type {
  Action,
  AnonymizeMode,
  Direction,
  Finding,
  PartResult,
  PolicyFindings,
  RawFinding,
  ScanCoverage,
  ScannerName,
  ScanPart,
  ScanResult,
  Strength,
} from './types.js';
export { collectParts, applyParts, childPath } from './json-parts.js';
export { scanJson, type JsonScan } from './scan-json.js';
export {
  scanToolDescription,
  scanToolDefinition,
  type ToolDescriptionScan,
  type ToolScanSignal,
} from './tool-description.js';
export {
  createTokenizer,
  createMemoryVault,
  type TokenVault,
  type VaultEntry,
  type Tokenizer,
} from './tokenize.js';
export { compileSafePattern, PatternError, type SafePattern } from './safe-regex.js';
export { PII_ENTITIES } from './scanners/pii/index.js';
export { SECRET_TYPES } from './scanners/secrets/index.js';
