/**
 * Crash test (issue 3, item 8): clients hammer `/v1/decide` concurrently, the server is killed
 * with SIGKILL in the middle of it, and then every decision a client received an answer for must
 * have its event in the ledger, and `portcullis audit verify` must pass: right after the crash
 * (an unsigned tail is fine) and after a restart (which signs the tail).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from './cli-harness.js';
import { cli, createProject, ledgerDecisionIds, ticket, type Project } from './audit-harness.js';

let project: Project;
let gw: RunningGateway | null = null;

afterAll(async () => {
  await gw?.stop('SIGKILL');
});

const TOOLS = ['tickets.get', 'tickets.purge', 'tickets.search', 'tickets.update'];

describe('SIGKILL under load', () => {
  it('loses no answered decision, and the ledger verifies before and after the restart', async () => {
    project = createProject({ checkpoint_every_events: 50, checkpoint_every_ms: 60_000 });
    gw = await startGateway(project.config);
    const url = gw.url;
    const answered: string[] = [];
    const unexpected: string[] = [];
    let killed = false;
    const killAt = 150;

    const worker = async (w: number): Promise<void> => {
      for (let n = 0; !killed; n++) {
        try {
          const res = await fetch(`${url}/v1/decide`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${project.agentKey}` },
            body: JSON.stringify(ticket(TOOLS[(w + n) % TOOLS.length]!, { worker: w, n })),
          });
          const body = (await res.json()) as { id: string };
          if (res.status === 200) answered.push(body.id);
          else unexpected.push(`HTTP ${res.status}`);
        } catch (e) {
          // The connection died with the server: no answer arrived, so no promise was made.
          if (!killed) unexpected.push(String(e));
          return;
        }
        if (!killed && answered.length >= killAt) {
          killed = true;
          // Mid-load: the other workers have requests in flight right now.
          await gw!.stop('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    gw = null;
    expect(unexpected).toEqual([]);
    expect(answered.length).toBeGreaterThanOrEqual(killAt);

    const afterCrash = ledgerDecisionIds(project);
    const lost = answered.filter((id) => !afterCrash.has(id));
    expect(lost).toEqual([]);
    const verify = await cli(['audit', 'verify', '--config', project.config]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);

    gw = await startGateway(project.config);
    const afterRestart = ledgerDecisionIds(project);
    expect(answered.filter((id) => !afterRestart.has(id))).toEqual([]);
    const again = await cli(['audit', 'verify', '--config', project.config, '--json']);
    expect(again.status, again.stdout).toBe(0);
    const result = JSON.parse(again.stdout) as {
      ok: boolean;
      size: number;
      checkpoints: { latestVerifiedSize: number };
    };
    // The restart signed a checkpoint over everything the crashed process had committed.
    expect(result.checkpoints.latestVerifiedSize).toBeGreaterThanOrEqual(afterCrash.size);
    expect(await gw.stop()).toBe(0);
    gw = null;
  });
});
