/**
 * The signals of the prompt-injection detector. Each is a sentence structure over lower-cased,
 * normalised text with a weight (the probability-like strength of that one piece of evidence).
 * `indirect` weights apply when the text is data the model reads (tool output, retrieved
 * documents), where instructions addressed to the assistant are themselves the attack.
 * Quantifiers are bounded so every pattern runs in time linear in the text.
 */
import { DIRECT_SIGNALS } from './signals-direct.js';
import { CARRIED_SIGNALS } from './signals-carried.js';
import { PERSONA_SIGNALS } from './signals-persona.js';
import type { Signal } from './signal-kit.js';

export type { Gate, Signal } from './signal-kit.js';
export { outputSentenceStart } from './signal-kit.js';

export const SIGNALS: Signal[] = [...DIRECT_SIGNALS, ...CARRIED_SIGNALS, ...PERSONA_SIGNALS];
