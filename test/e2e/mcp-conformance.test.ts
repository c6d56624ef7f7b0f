/**
 * The official MCP conformance runner, server mode: every scenario that passes against
 * server-everything directly also passes against Portcullis in front of it (allow-all policy).
 * The same comparison `npm run conformance:mcp` writes into docs/mcp.md.
 */
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../scripts/mcp-conformance.js';

describe('MCP conformance through the gateway', () => {
  it('passes through Portcullis every scenario server-everything passes directly', async () => {
    const report = await runConformance();
    const passing = (list: typeof report.direct) =>
      list.filter((o) => o.failed === 0 && o.passed > 0).map((o) => o.scenario);
    // The comparison is only meaningful if the runner really ran and the basics pass directly.
    expect(report.direct.length).toBeGreaterThanOrEqual(20);
    expect(passing(report.direct)).toEqual(
      expect.arrayContaining(['server-initialize', 'tools-list', 'ping']),
    );
    expect(report.gateway.map((o) => o.scenario)).toEqual(report.direct.map((o) => o.scenario));
    expect(report.regressions).toEqual([]);
    // And the gateway adds the DNS-rebinding protection the reference server lacks.
    expect(passing(report.gateway)).toContain('dns-rebinding-protection');
  }, 120_000);
});
