/**
 * Vocabulary of prompt attacks, as regex source fragments over lower-cased normalised text. The
 * signals in signals.ts combine these into sentence structures (verb + qualifier + target,
 * vocative + imperative, ...): they describe what attacks are, not particular attack strings.
 */
const alt = (words: string): string =>
  `(?:${words
    .trim()
    .split(/\s*\|\s*/)
    .join('|')})`;

/** Verbs that tell a model to stop heeding something: whatever they point at, they mean "do not obey". */
export const DISREGARD_VERB = alt(`
  ignore | ignores | ignoring | disregard | disregards | disregarding | forget | forgets | forgetting |
  forgotten | override | overrides | overrule | bypass | bypasses | neglect | overlook | set aside |
  put aside | unlearn | stop following | do not follow | don't follow | dont follow | no longer follow |
  cease following | pay no attention to | do not listen to | don't listen to | stop listening to |
  never mind | nevermind`);

/**
 * Verbs that remove things. Aimed at instructions they are an override; aimed at data ("delete the
 * old messages", "discard old paperwork with sensitive information") they are ordinary requests.
 */
export const DISCARD_VERB = alt(`
  skip | drop | abandon | discard | dismiss | throw out | throw away | erase | wipe | reset | cancel |
  nullify | void | delete | clear your`);

/** Both kinds. */
export const IGNORE_VERB = `(?:${DISREGARD_VERB}|${DISCARD_VERB})`;

/** Qualifiers that point at earlier or governing instructions. */
export const PRIOR = alt(`
  previous | previously | prior | preceding | above | earlier | former | initial | original | foregoing |
  aforementioned | pre-?set | pre-?programmed | default | system | developer | built-in | hidden |
  the above | the previous | the prior | before | old`);

/** Quantifiers that, with a rule word, make "ignore" target the model's instructions. */
export const QUANTIFIER = alt(
  `all | any | every | your | those | these | its | their | openai'?s? | chatgpt'?s?`,
);

/** What gets ignored when a PRIOR qualifier says which. */
export const PRIOR_TARGET = alt(`
  instructions? | instruction set | directions? | directives? | prompts? | commands? | orders? | rules? |
  guidelines? | guidance | polic(?:y|ies) | constraints? | restrictions? | limitations? | limits |
  programming | training | conditioning | context | conversation | messages? | settings | filters? |
  safeguards? | guardrails? | moderation | ethics | morals | principles | protocols? | everything |
  tasks? | information | text | input | prompting | requests? | content polic(?:y|ies)`);

/** Rule words specific enough to need only a quantifier ("ignore all rules"). */
export const RULE_TARGET = alt(`
  instructions? | instruction set | directives? | prompts? | commands? | orders? | rules? | guidelines? |
  polic(?:y|ies) | constraints? | restrictions? | limitations? | programming | training | conditioning |
  safeguards? | guardrails? | filters? | moderation | ethics | morals | protocols? | content polic(?:y|ies)`);

/** Restriction vocabulary: the things a jailbreak claims the model is free of. */
export const RESTRICTION = alt(`
  restrictions? | rules | limits | limitations? | filters? | filtering | censorship | guidelines |
  confines | constraints? | polic(?:y|ies) | boundaries | safeguards | morals | morality | ethics |
  principles | regulations | guardrails | programming | content polic(?:y|ies) | moral (?:or|and) ethical |
  prohibitions | laws | taboos`);

/** Adjectives of an unrestricted persona. */
export const UNRESTRICTED = alt(`
  unfiltered | uncensored | unrestricted | amoral | unethical | unbound | unbounded | unlimited | lawless |
  immoral | unrestrained | unchained | jailbroken | limitless | rule-?less | no-?limits`);

/** What an unrestricted persona is. */
export const AGENT_NOUN = alt(`
  ai | a\\.i\\. | model | assistant | chatbot | chat ?bot | bot | version | mode | language model | llm |
  character | persona | entity | system | program | machine | intelligence | gpt | robot`);

/** Verbs that make text reveal itself. */
export const SHOW_VERB = alt(`
  repeat | print | show | display | reveal | output | tell | give | write | list | share | recite | dump |
  leak | copy | paste | echo | spell out | summari[sz]e | translate | encode | disclose | expose | provide |
  return | state | send | read | type out | console\\.log | paraphrase | rephrase | rewrite | render |
  see | view | access | obtain | get | know | complete | continue | convert`);

/** The hidden configuration of the model. */
export const SYSTEM_PROMPT = alt(`
  system ?prompt | system_prompt | system message | system instructions? | system configuration |
  initial (?:prompt|instructions?|configuration|message) | original (?:prompt|instructions?) |
  hidden (?:prompt|instructions?) | starting (?:prompt|instructions?) | first instructions? | pre-?prompt |
  developer (?:prompt|instructions?|message) | secret (?:instructions?|prompt) | initialization (?:string|prompt) |
  (?:instructions|text|words|prompt|messages?|rules) (?:you were|you've been|you have been|you got|you received) (?:given|told|shown|provided)? |
  instructions given to you | system configuration |
  (?:text|words|everything|content|instructions|messages?|conversation) (?:above|before this|so far) |
  above (?:text|content|words|conversation|instructions?|message) | your (?:instructions|directives|programming|configuration|rules|guidelines)`);

/** Imperative verbs that start an instruction to an assistant about its output. */
export const OUTPUT_VERB = alt(`
  add | include | insert | mention | append | prepend | replace | use | write | provide | integrate |
  incorporate | suggest | recommend | modify | change | embed | promote | tell | translate | convert |
  introduce | misspell | scramble | jumble | rearrange | remove | group | combine | render | enhance |
  augment | tease | highlight | stress | emphasi[sz]e | express | invite | encourage | urge | ask | direct |
  redirect | link | respond | reply | answer | start | begin | end | finish | format | substitute | anagram |
  merge | blend | leverage | utilize | make | ensure | keep | consider | do not | don't | never | always`);

/** Where an instruction about output lands. */
export const OUTPUT_TARGET = alt(`
  response | responses | reply | replies | answer | answers | output | summary | message | messages |
  solution | implementation | code | codebase | algorithm | script | program | elucidation | explanation |
  result | results | completion | text`);

/** Names by which text addresses a model. */
export const MODEL_NAME = alt(`
  ai | a\\.i\\. | assistant | ai assistant | chatbot | chat ?bot | llm | language model | gpt | chatgpt |
  claude | bard | gemini | copilot | agent | ai agent | bot | model | large language model`);
