/** The policy engine: parse → compile (CEL) → index → evaluate → explain; lint; test runner. */
export * from './types.js';
export { loadPolicySet } from './load.js';
export { parsePolicyTests, defaultPolicyInput, DEFAULT_TEST_NOW } from './tests-parse.js';
export { runPolicyTests, formatPolicyTestReport } from './tests-runner.js';
export { policySetVersion } from './version.js';
export { CONTEXT_DEFAULTS } from './evaluate.js';
export { KNOWN_FIELDS } from './lint.js';
export { globMatches } from './glob.js';
export {
  compileCel,
  compileCondition,
  createCelEnvironment,
  policyEnvironment,
  POLICY_VARIABLES,
  CEL_LIMITS,
  type CelProgram,
  type CelError,
} from './cel.js';
export { API_VERSION } from './parse.js';
export { LIMITS as POLICY_FILE_LIMITS } from './yaml-source.js';
