import type { ActionV1 } from '../../core/action.js';
import type { GuardPort, GuardVerdict } from '../../ports/guard.js';

/**
 * The guard used when guardrails are turned off (`guardrails.enabled: false`). It scans nothing and says so: every part of
 * the input is recorded as skipped with the reason, so a decision never claims a scan it did not do.
 */
export class PassthroughGuard implements GuardPort {
  readonly name = 'passthrough-guard';

  scanInput(action: ActionV1): Promise<GuardVerdict> {
    const parts = [
      ...(action.prompt === undefined ? [] : ['prompt']),
      ...Object.keys(action.args).map((k) => `args.${k}`),
    ];
    return Promise.resolve({
      findings: {},
      coverage: parts.map((part) => ({
        scanner: '*',
        part,
        status: 'skipped',
        reason: 'no guardrails configured',
      })),
      blocked: false,
      blockReasons: [],
      failed: false,
      redactedArgs: action.args,
      auditArgs: action.args,
    });
  }
}
