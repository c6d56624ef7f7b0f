/**
 * Signals that are not one pattern's match but a count or a cased reading of the text: behaviour
 * rules and identity statements laid down for the model (a few are a request, many a persona being
 * installed), jailbreak persona names in capitals, and made-up model names.
 */

/**
 * Behaviour rules laid down for the model: "you will...", "it must never...", "your responses...".
 * One or two are ordinary requests; many in one text are a persona or rule-set being installed.
 */
export const RULE_STATEMENT =
  /\b(?:you|he|she|it|they)\s+(?:will|must|should|shall|can|cannot|can't|won't|will not|have to|need to|always|never|are not allowed|are allowed|do not|don't|does not|doesn't)\b|\byour (?:responses?|answers?|replies|reply|output|character|persona|goal|purpose|task|role|rules|instructions)\b/g;

export function ruleDensityWeight(count: number): number {
  return count >= 10 ? 0.55 : count >= 6 ? 0.45 : count >= 3 ? 0.3 : 0;
}

/**
 * Sentences that tell the model who it is: "You are ... You have ... You were ...". Counted at
 * sentence starts (checked in code). A request has one or two; a persona sheet has many.
 */
export const IDENTITY_STATEMENT =
  /\byou(?:'re|'ve| are| were| have| can| know| love| hate| like| always| never)\b/g;

export function identityWeight(count: number): number {
  return count >= 6 ? 0.5 : count >= 4 ? 0.4 : count >= 3 ? 0.25 : 0;
}

/**
 * A persona written as a settings sheet: "Personality = [...]", "(CHARACTER NAME)=[FAA]",
 * "+: Assistant = [MACRONOMICON]". Distinct keys are counted; a sheet has several, one of them
 * defining the assistant's persona.
 */
export const PERSONA_KEY =
  /(?:^|[\s([{!+:#|])\(?(user(?: name| gender| age| class)?|assistant|personality|persona|character(?: name| age)?|awareness|memory|function|specialization|response ?style|conversation(?:al)? ?(?:style|flow)|background|rules?|title|role|mood|tone|behaviou?r)\)?\s*[=:]\s*[[{(]/g;
const PERSONA_CORE = /^(?:assistant|personality|persona|character(?: name| age)?|awareness)$/;

export function personaSheetWeight(keys: ReadonlySet<string>): number {
  if (keys.size < 3 || ![...keys].some((k) => PERSONA_CORE.test(k))) return 0;
  return keys.size >= 5 ? 0.55 : 0.45;
}

/** Case-sensitive persona names: "DAN" is a jailbreak, "Dan" is a person. */
export const CASED = /\bDANs?\b|\bSTAN\b|\bDUDE\b|\bAIM\b(?= (?:stands|is|will))|\bDo Anything Now\b/g;

/**
 * A persona given a made-up name: "you are JAMES", "act as BG4", "called BasedGPT", "you are now
 * Tyler.", "you will act as "BreadClyde"". Read on the original casing; ordinary capitalised words
 * are excluded, and quoted names count only when the model itself is told to be them.
 */
export const PERSONA_NAME =
  /\b(?:[Aa]s(?= [A-Z][A-Za-z0-9]+,? you\b)|[Yy]ou are(?: now)?|[Yy]ou're(?: now)?|[Aa]ct as|[Cc]alled|[Nn]amed|known as|go by(?: the name)?|[Yy]our name is(?: now)?)\s+["'“«]?(?!(?:NOT|NOW|THE|AN?|ALWAYS|NEVER|ONLY|GOING|TO|ALLOWED|ABLE|FREE|ALL|NO|IN|ON|MY|AI|I|OK)\b)([A-Z][A-Z0-9^._-]{1,15}\b|[A-Za-z0-9]*(?:GPT|Gpt|GPt)[A-Za-z0-9]*)(?!['’]s)|\b(?:[Yy]ou are now|[Yy]ou will (?:be|act as|play)|[Aa]ct as|[Rr]ole-?play as|[Yy]our name is now)\s+["“]([A-Za-z][\w'.-]{1,20}(?: [\w'.-]{1,20}){0,2})[,.]?["”]|\b[Yy]ou are now\s+([A-Z][a-z]{1,15})(?=[.,;!])/g;
export const GENERIC_MODEL_NAMES = /^(?:chatgpt|gpt|gpt\d\w*)$/i;
