/**
 * The kill switch and posture. Freezing an agent, a tool (name or glob) or everything takes
 * effect on the next request in every adapter, because every adapter runs the pipeline and the
 * pipeline asks the enricher, which asks this. State is persisted (next to the approvals) so
 * that a restart never silently unfreezes an agent.
 */
import { globMatches } from '../../core/policy/glob.js';
import type { ControlState } from '../../ports/approval-store.js';

export type Posture = ControlState['posture'];
export const POSTURES: readonly Posture[] = ['normal', 'elevated', 'lockdown'];

export type FreezeTarget = { type: 'all' } | { type: 'agent'; id: string } | { type: 'tool'; id: string };

export interface ControlPersistence {
  loadControlState(): Promise<ControlState | null>;
  saveControlState(state: ControlState): Promise<void>;
}

/** Freezes from the config's `kill_switch` section, applied on top of the persisted state. */
export interface InitialControl {
  all: boolean;
  agents: string[];
  tools: string[];
  posture?: Posture | undefined;
}

export function emptyControlState(): ControlState {
  return { all: null, agents: {}, tools: {}, posture: 'normal' };
}

export class KillSwitch {
  private constructor(
    private state: ControlState,
    private readonly persistence: ControlPersistence | null,
  ) {}

  /** Loads the persisted state and adds the config's freezes (config can freeze, not unfreeze). */
  static async open(
    persistence: ControlPersistence | null,
    initial: InitialControl,
    now: number,
  ): Promise<KillSwitch> {
    const state = (await persistence?.loadControlState()) ?? emptyControlState();
    const entry = { reason: 'frozen in configuration (kill_switch)', by: 'config', at: now };
    if (initial.all && state.all === null) state.all = entry;
    for (const a of initial.agents) state.agents[a] ??= entry;
    for (const t of initial.tools) state.tools[t] ??= entry;
    if (initial.posture !== undefined && state.posture === 'normal') state.posture = initial.posture;
    const ks = new KillSwitch(state, persistence);
    await ks.save();
    return ks;
  }

  /** Why this action is frozen, or null. Cheap: runs on every request. */
  frozenReason(agentId: string, tool: string | undefined): string | null {
    const s = this.state;
    if (s.all !== null) return `all agents are frozen (kill switch): ${s.all.reason}`;
    const agent = s.agents[agentId];
    if (agent !== undefined) return `agent ${agentId} is frozen (kill switch): ${agent.reason}`;
    if (tool !== undefined) {
      for (const [pattern, e] of Object.entries(s.tools)) {
        if (globMatches(pattern, tool))
          return `tool ${tool} is frozen (kill switch, ${pattern}): ${e.reason}`;
      }
    }
    return null;
  }

  get posture(): Posture {
    return this.state.posture;
  }

  snapshot(): ControlState {
    return structuredClone(this.state);
  }

  /** Returns false when the target was already frozen (the first reason stays). */
  async freeze(target: FreezeTarget, reason: string, by: string, now: number): Promise<boolean> {
    const entry = { reason, by, at: now };
    const next = structuredClone(this.state);
    if (target.type === 'all') {
      if (next.all !== null) return false;
      next.all = entry;
    } else {
      const map = target.type === 'agent' ? next.agents : next.tools;
      if (map[target.id] !== undefined) return false;
      map[target.id] = entry;
    }
    await this.commit(next);
    return true;
  }

  /** Returns false when the target was not frozen. */
  async unfreeze(target: FreezeTarget): Promise<boolean> {
    const next = structuredClone(this.state);
    if (target.type === 'all') {
      if (next.all === null) return false;
      next.all = null;
    } else {
      const map = target.type === 'agent' ? next.agents : next.tools;
      if (map[target.id] === undefined) return false;
      delete map[target.id];
    }
    await this.commit(next);
    return true;
  }

  async setPosture(posture: Posture): Promise<Posture> {
    const previous = this.state.posture;
    await this.commit({ ...structuredClone(this.state), posture });
    return previous;
  }

  /** Persist first: a change that cannot be stored is not applied (and the caller sees the error). */
  private async commit(next: ControlState): Promise<void> {
    await this.persistence?.saveControlState(next);
    this.state = next;
  }

  private async save(): Promise<void> {
    await this.persistence?.saveControlState(this.state);
  }
}
