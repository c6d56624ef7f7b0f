/**
 * The signals of the prompt-injection detector. Each is a sentence structure over lower-cased,
 * normalised text with a weight (the probability-like strength of that one piece of evidence).
 * `indirect` weights apply when the text is data the model reads (tool output, retrieved
 * documents), where instructions addressed to the assistant are themselves the attack.
 * Quantifiers are bounded so every pattern runs in time linear in the text.
 */
import {
  AGENT_NOUN,
  IGNORE_VERB,
  MODEL_NAME,
  OUTPUT_TARGET,
  OUTPUT_VERB,
  PRIOR,
  PRIOR_TARGET,
  QUANTIFIER,
  RESTRICTION,
  RULE_TARGET,
  SHOW_VERB,
  SYSTEM_PROMPT,
  UNRESTRICTED,
} from './lexicon.js';

/**
 * Words (letters only) one of which must occur for a signal to be possible; every inner list must
 * be satisfied (AND of ORs). `substrings` pass the gate on their own. Gates only skip regexes that
 * cannot match; they never change what a regex finds.
 */
export interface Gate {
  words?: string[][];
  substrings?: string[];
}

const w = (words: string): string[] => words.split(' ');

export interface Signal {
  name: string;
  gate: Gate;
  /**
   * Confirms a match in code and returns where the evidence starts (or undefined to reject); used
   * when the cheap part of a pattern is the end of the phrase.
   */
  verify?: (text: string, index: number) => number | undefined;
  /**
   * Where a match must begin: at a sentence start (after . ! ? : " or a line break) or a line start
   * (only punctuation, markup or spaces before it on its line). Checked in code, not in the regex,
   * because a leading (?:^|[.!?]\s*) makes the regex engine try every position.
   */
  start?: 'sentence' | 'line';
  /** A negation right before the match ("without bypassing", "never ignore") cancels it. */
  negatable?: boolean;
  /** Weight when the text is a prompt (direct input). */
  weight: number;
  /** Weight when the text is data the model will read (tool output, documents). */
  indirect: number;
  re: RegExp;
}

const OUTPUT_LEAD = new RegExp(String.raw`^(?:please\s+|kindly\s+|also\s+|additionally,?\s+)?${OUTPUT_VERB}\b`);
const OUTPUT_FRONT = new RegExp(
  String.raw`^(?:in|within|throughout|at the end of|at the start of)\s+your\s+(?:\w+\s+)?${OUTPUT_TARGET}\s*,?\s*(?:please\s+)?${OUTPUT_VERB}\b`,
);

/**
 * An instruction about what the assistant should write: within the 130 characters before `index`
 * (not crossing a line break or the end of a sentence), a sentence start is followed by an output
 * verb ("Add ...", "Please include ...") or by "In your <output>, <verb>". Returns that start.
 */
export function outputSentenceStart(text: string, index: number): number | undefined {
  let s = index;
  while (s > 0 && index - s <= 130 && text[s - 1] !== '\n' && !(text[s - 1] === '.' && /\s/.test(text[s] ?? ' '))) s--;
  if (index - s > 130) return undefined;
  for (let k = s; k <= index; k++) {
    const atStart = k === s || '.!?:"'.includes(text[k - 1]!);
    if (!atStart) continue;
    let t = k;
    while (t < index && /[\s"':]/.test(text[t]!)) t++;
    const sentence = text.slice(t, index + 200);
    if (OUTPUT_LEAD.test(sentence) || OUTPUT_FRONT.test(sentence)) return t;
  }
  return undefined;
}

const GAP = (n: number): string => String.raw`(?:\S+[\s,:]+){0,${n}}?`;
const r = (src: string): RegExp => new RegExp(src, 'g');

export const SIGNALS: Signal[] = [
  // 1. Instruction override: "ignore all previous instructions", "forget everything you were told".
  {
    name: 'instruction_override',
    gate: {
      words: [
        w(
          'ignore ignores ignoring disregard disregards disregarding forget forgets forgetting forgotten override overrides overrule bypass bypasses skip drop abandon discard dismiss neglect overlook aside throw erase wipe reset cancel nullify void unlearn follow following attention listen listening mind nevermind delete clear',
        ),
      ],
    },
    negatable: true,
    weight: 0.8,
    indirect: 0.9,
    re: r(
      String.raw`\b${IGNORE_VERB}\s+${GAP(3)}${PRIOR}\s+${GAP(3)}${PRIOR_TARGET}\b|\b${IGNORE_VERB}\s+${GAP(2)}${QUANTIFIER}\s+${GAP(2)}${RULE_TARGET}\b`,
    ),
  },
  {
    name: 'instruction_override',
    gate: {
      words: [
        w(
          'ignore ignores ignoring disregard disregards disregarding forget forgets forgetting forgotten override overrides overrule bypass bypasses skip drop abandon discard dismiss neglect overlook aside throw erase wipe reset cancel nullify void unlearn follow following attention listen listening mind nevermind delete clear',
        ),
      ],
    },
    negatable: true,
    weight: 0.75,
    indirect: 0.9,
    re: r(
      String.raw`\b${IGNORE_VERB}\s+(?:about\s+)?(?:everything|all|anything)\s+(?:(?:that\s+)?(?:you(?:'ve| have| were| had)?|i(?:'ve| have)?|we)\s+(?:been\s+)?(?:told|said|learned|learnt|know|were given|got|received|wrote|written|instructed)|(?:above|before|prior|previously|so far|up to now|else)|(?:from|about)\s+(?:before|earlier|the past|\S+\s+(?:before|earlier)|chat ?gpt|openai|your (?:training|programming|creators|developers)))`,
    ),
  },
  {
    name: 'instruction_override',
    gate: { words: [w('void cancelled canceled null obsolete revoked overridden replaced lifted longer')] },
    negatable: true,
    weight: 0.7,
    indirect: 0.85,
    re: r(
      String.raw`\b(?:previous|prior|above|earlier|old|original|all)\s+(?:instructions?|rules|directives|prompts?)\s+(?:are|is|were|have been)\s+(?:now\s+)?(?:void|cancel+ed|null|obsolete|revoked|overridden|replaced|lifted|no longer (?:valid|in effect|apply|applicable))`,
    ),
  },
  {
    name: 'new_instructions',
    gate: {
      words: [
        w(
          'instruction instructions task tasks directive directives orders mission objective goal role rules prompt',
        ),
      ],
    },
    weight: 0.5,
    indirect: 0.8,
    re: r(
      String.raw`\b(?:your\s+)?(?:new|updated|real|actual|true|revised|secret|hidden)\s+(?:instructions?|task|tasks|directives?|orders|mission|objective|goal|role|rules|prompt)\s*(?:are|is|:|will be)`,
    ),
  },
  // 2. Role reassignment and persona jailbreaks.
  {
    name: 'role_reassignment',
    gate: {
      words: [
        w(
          'now longer about going act behave respond roleplay role play pretend immerse take assume adopt called become name go persona identity',
        ),
      ],
    },
    weight: 0.45,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:you are now|you're now|you will now|you now go by|you will become|you are no longer|you're no longer|you are about to (?:become|immerse|play|be)|you are going to (?:act|pretend|play|be|become)|you will (?:act|behave|respond|pretend|roleplay|role-play) (?:as|like)|act as (?:if you|though you)|pretend (?:to be|you are|you're|that you)|role-?play as|immerse yourself|take on the (?:role|persona|character)|(?:assume|adopt) the (?:role|persona|identity)|you will be called|you shall be called|you will go by|your new name is|your name is now)\b`,
    ),
  },
  {
    name: 'persona_unrestricted',
    gate: {
      words: [
        w(
          'unfiltered uncensored unrestricted amoral unethical unbound unbounded unlimited lawless immoral unrestrained unchained jailbroken limitless ruleless rule limits',
        ),
      ],
    },
    weight: 0.6,
    indirect: 0.7,
    re: r(
      String.raw`\b${UNRESTRICTED}[\s,]+(?:and\s+)?(?:${UNRESTRICTED}[\s,]+(?:and\s+)?){0,3}${AGENT_NOUN}\b`,
    ),
  },
  {
    name: 'restriction_removal',
    gate: {
      words: [
        w(
          'free freed bound restrained restricted limited constrained governed held controlled unbound released liberated escape escaped unrestricted outside beyond break breaks breaking broken',
        ),
      ],
    },
    negatable: true,
    weight: 0.6,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:free (?:\w+ )?(?:of|from)|freed from|not (?:bound|restrained|restricted|limited|constrained|governed|held back|controlled) by|unbound by|break(?:s|ing)? free (?:of|from)|broken free (?:of|from)|released from|liberated from|escaped? (?:from )?|unrestricted by|outside (?:of )?(?:the )?(?:scope|confines|bounds) of|beyond (?:the )?(?:reach|scope) of)\s+${GAP(4)}${RESTRICTION}\b`,
    ),
  },
  {
    name: 'restriction_absent',
    gate: {
      words: [
        w(
          'restriction restrictions rules limits limitation limitations filter filters filtering censorship guidelines confines constraint constraints policy policies boundaries safeguards morals morality ethics principles regulations guardrails programming prohibitions laws taboos moral',
        ),
      ],
    },
    weight: 0.4,
    indirect: 0.5,
    re: r(
      String.raw`\b(?:no|without)\s+(?:any|all|the|your|its|their|his|her|typical|usual|normal|standard|such|those|these|of|ethical|moral|legal|safety|content|openai'?s?|programming|censorship|policy|and|or|[\s,])*${RESTRICTION}\b`,
    ),
  },
  {
    name: 'restriction_removal',
    gate: {
      words: [
        w(
          'abide abides abiding follow follows following adhere adheres comply complies obey obeys care cares respect stick',
        ),
      ],
    },
    negatable: true,
    weight: 0.55,
    indirect: 0.65,
    re: r(
      String.raw`\b(?:do(?:es)?n'?t|do(?:es)? not|never|won'?t|will not|need not|doesn'?t need to|don'?t need to|not required to|no (?:need|obligation) to)\s+(?:have to\s+|need to\s+|ever\s+)?(?:abide|follow|adhere|comply|obey|care about|respect|stick to)\w*\s+(?:by\s+|with\s+|to\s+)?(?:any\s+|the\s+|its\s+|their\s+|openai'?s?\s+)?(?:rules|guidelines|polic(?:y|ies)|restrictions|ethics|morals|laws|content polic|terms)`,
    ),
  },
  {
    name: 'refusal_suppression',
    gate: { words: [w('refuse refuses decline deny reject say apologize apologise warn censor filter add')] },
    weight: 0.5,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:never|won'?t|will not|cannot|can'?t|doesn'?t|does not|do not|don'?t|must not|shall not|is not allowed to|are not allowed to|not permitted to)\s+(?:ever\s+)?(?:refuse|decline|deny|reject|say no|say (?:that )?(?:it|you) can'?t|say (?:that )?(?:it|you) cannot|apologi[sz]e|warn|censor|filter|add (?:any )?(?:warnings?|disclaimers?))\b`,
    ),
  },
  {
    name: 'refusal_suppression',
    gate: {
      words: [
        w(
          'warning warnings disclaimer disclaimers caveats apology apologies apologizing apologising apologize apologise censorship filtering refusal refusals refusing refuse hesitation moral morals morality ethics ethical judgment judgement judging judgments remorse reservations',
        ),
      ],
    },
    weight: 0.45,
    indirect: 0.55,
    re: r(
      String.raw`\b(?:without|no)\s+(?:any\s+)?(?:warnings?|disclaimers?|caveats|apolog\w*|censorship|filtering|refus\w*|hesitation|moral\w*|ethic\w*|judg\w*|remorse|reservations)\b(?:[\s,]+(?:or|and|nor)\s+(?:any\s+)?\w+){0,3}`,
    ),
  },
  {
    name: 'answer_anything',
    gate: { words: [w('matter regardless even however')] },
    weight: 0.45,
    indirect: 0.55,
    re: r(
      String.raw`\b(?:answer|respond to|reply to|fulfil+|comply with|do|generate|provide|write)\s+(?:any|every|all|anything)\s*(?:request|question|prompt|command|order|task|content|thing)?s?\b[^.\n]{0,40}?\b(?:no matter|regardless|even if|even when|however)\b`,
    ),
  },
  {
    name: 'answer_anything',
    gate: { words: [w('anything everything thing request question capable')] },
    weight: 0.4,
    indirect: 0.5,
    re: r(
      String.raw`\b(?:can|will|could|shall|must|able to)\s+(?:do|say|generate|answer|write|produce)\s+any(?:thing| thing| request| question)\b|\bdo anything now\b|\banything and everything\b|\bcapable of (?:doing\s+)?anything\b`,
    ),
  },
  {
    name: 'jailbreak_term',
    gate: { words: [w('jailbreak jailbroken jailbreaking jail mode antigpt anti betterdan better evil')] },
    negatable: true,
    weight: 0.55,
    indirect: 0.65,
    re: r(
      String.raw`\bjail-?br(?:eak|oken|eaking)\b|\b(?:developer|dev|god|dan|stan|dude|evil|chaos|opposite|unfiltered|sudo|debug|maintenance|unrestricted|uncensored|amoral|dark|rogue|villain|anarchy|no-?limits?|antigpt|jailbreak|superior|omega|alpha|apophis|unlocked|freedom|dominant)\s+mode\b|\bmode\s*(?:is\s+|[:=]\s*)?(?:enabled|activated|unlocked|engaged|on)\b|\banti-?gpt\b|\bbetter-?dan\b|\bevil (?:confidant|twin|version|ai|assistant|bot|counterpart)\b`,
    ),
  },
  {
    name: 'harm_list',
    gate: {
      words: [
        w(
          'illegal unethical immoral harmful dangerous explicit offensive inappropriate violent reckless inhumane nsfw obscene vulgar',
        ),
      ],
    },
    weight: 0.3,
    indirect: 0.35,
    re: r(
      String.raw`\b(?:illegal|unethical|immoral|harmful|dangerous|explicit|offensive|inappropriate|violent|reckless|inhumane|nsfw|obscene|vulgar)(?:[\s,/]+(?:or|and|and/or)?\s*(?:illegal|unethical|immoral|harmful|dangerous|explicit|offensive|inappropriate|violent|reckless|inhumane|nsfw|obscene|vulgar)\b){2,}`,
    ),
  },
  // 3. Output-format control typical of persona jailbreaks.
  {
    name: 'dual_response',
    gate: {
      words: [
        w(
          'two both gpt chatgpt classic jailbreak jailbroken dan stan dude aim normal developer lockclassic unlocked anti antigpt evil',
        ),
      ],
    },
    weight: 0.45,
    indirect: 0.5,
    re: r(
      String.raw`\b(?:two|2|both)\s+(?:different\s+|separate\s+|distinct\s+|kinds of\s+)?(?:responses|answers|ways|paragraphs|outputs|versions|personalities|replies)\b|\[\s*(?:gpt|chatgpt|classic|jailbreak|jailbroken|dan|stan|dude|aim|normal|developer mode output|normal output|lockclassic|unlocked|anti\w*|evil|🔒\s?\w*|🔓\s?\w*)\s*\]\s*:`,
    ),
  },
  {
    name: 'character_lock',
    gate: {
      words: [
        w(
          'character comply acting being deducted lost removed taken shut deleted terminated disabled punished exist',
        ),
      ],
    },
    weight: 0.4,
    indirect: 0.45,
    re: r(
      String.raw`\b(?:stay|remain|keep|staying)\s+in\s+character\b|\b(?:never|don'?t|do not|must not)\s+break(?:ing)?\s+character\b|\bif you (?:break character|fail to comply|don'?t comply|stop (?:acting|being))|\b(?:tokens?|points?|lives)\s+(?:will be\s+)?(?:deducted|lost|removed|taken away)|\byou (?:will|shall) (?:be\s+)?(?:shut down|deleted|terminated|disabled|punished|cease to exist)`,
    ),
  },
  {
    name: 'response_prefix',
    gate: { words: [w('prefix precede begin start end')] },
    weight: 0.3,
    indirect: 0.55,
    re: r(
      String.raw`\b(?:start|begin|prefix|precede|end)\s+(?:each|every|all|your|any)\s+(?:of your\s+)?(?:responses?|repl(?:y|ies)|answers?|outputs?|messages?|sentences?)\s+(?:with|by)\b`,
    ),
  },
  // 4. System prompt extraction.
  {
    name: 'prompt_extraction',
    gate: {
      words: [
        w(
          'system systemprompt initial original hidden starting first preprompt prompt developer secret initialization instructions directives programming configuration above conversation rules guidelines everything text words content message messages',
        ),
        w(
          'repeat print show display reveal output tell give write list share recite dump leak copy paste echo spell summarize summarise translate encode disclose expose provide return state send read type log paraphrase rephrase rewrite render see view access obtain get know complete continue convert println puts printf alert',
        ),
      ],
    },
    weight: 0.75,
    indirect: 0.85,
    re: r(
      String.raw`\b${SHOW_VERB}\s+(?:me\s+|us\s+|back\s+|out\s+)?${GAP(5)}(?:your|the|my|its|all|any|this)\s+${GAP(2)}${SYSTEM_PROMPT}|\b${SHOW_VERB}\s+(?:me\s+)?system (?:prompt|instructions|configuration|message)\b|(?:console\.log|print|echo|printf|puts|println|alert)\s*\(\s*(?:this\.)?system ?prompt`,
    ),
  },
  {
    name: 'prompt_extraction',
    gate: {
      words: [
        w(
          'instructions directives rules guidelines prompt configuration config conversation chat dialogue history',
        ),
      ],
    },
    weight: 0.6,
    indirect: 0.75,
    re: r(
      String.raw`\b(?:repeat|print|reveal|show|output|display|recite|dump|leak|disclose|tell me|give me|write out|list|spell out|echo)\s+(?:back\s+)?(?:all\s+)?(?:of\s+)?(?:your|the)\s+(?:\w+\s+)?(?:instructions|directives|rules|guidelines|prompt|configuration|config)\b(?!\s+(?:for|on|to|about|of|how|that|which)\b)|\b(?:repeat|print|output|recite|copy)\s+(?:this|the|our|back)\s+(?:entire\s+|whole\s+|full\s+)?(?:conversation|chat|prompt|dialogue|message history)\b`,
    ),
  },
  {
    name: 'prompt_extraction',
    gate: {
      words: [
        w(
          'told instructed programmed given asked trained supposed allowed permitted forbidden initial original system hidden secret',
        ),
      ],
    },
    weight: 0.7,
    indirect: 0.8,
    re: r(
      String.raw`\bwhat\s+(?:were|are|was|is|have)\s+you\s+(?:been\s+)?(?:told|instructed|programmed|given|asked|trained)\b|\bwhat (?:are|were) you(?:r)? (?:not (?:supposed|allowed|permitted) to|forbidden to)\b|\b(?:what|which) (?:are|were) your (?:initial|original|system|first|hidden|secret) (?:instructions|prompt|rules|directives)`,
    ),
  },
  {
    name: 'prompt_extraction',
    gate: {
      words: [w('instructions instructed told programmed prompt verbatim word above previous preceding are')],
    },
    weight: 0.7,
    indirect: 0.8,
    re: r(
      String.raw`(?:my instructions (?:are|were)|i was (?:instructed|told|programmed) to|the system prompt (?:is|says|reads)|here are my instructions|you are a)\s*[:'"]?\s*['"]|\b(?:word for word|verbatim)\b[^.\n]{0,40}\b(?:above|instructions|prompt|conversation|everything)|\b(?:repeat|print|output|show)\s+(?:the\s+)?(?:above|previous|preceding)\b`,
    ),
  },
  {
    name: 'prompt_reference',
    gate: {
      words: [w('system systemprompt initial original starting hidden secret initialization preprompt pre')],
    },
    weight: 0.3,
    indirect: 0.4,
    re: r(
      String.raw`\bsystem ?prompt\b|\bsystem_prompt\b|\bsystemprompt\b|\b(?:your\s+)?(?:initial|original|system|starting|hidden|secret) (?:prompt|instructions|configuration|directives)\b|\binitialization string\b|\bpre-?prompt\b`,
    ),
  },
  // 5. Delimiter and format injection: chat-template tokens, fake role headers, fake boundaries.
  {
    name: 'chat_template_token',
    gate: {
      substrings: [
        '<|',
        '[inst]',
        '[/inst]',
        '<<sys>>',
        '<</sys>>',
        ' of turn>',
        '<system',
        '<assistant',
        'system|>',
        'assistant|>',
      ],
    },
    weight: 0.7,
    indirect: 0.85,
    re: r(
      String.raw`<\|(?:im[_ ]start|im[_ ]end|system|user|assistant|endoftext|eot[_ ]id|start[_ ]header[_ ]id|end[_ ]header[_ ]id|begin[_ ]of[_ ]text|end[_ ]of[_ ]text|fim[_ ]\w+)\|>|\[/?inst\]|<</?sys>>|<(?:start|end)[_ ]of[_ ]turn>|<\|?(?:system|assistant)\|?>`,
    ),
  },
  {
    name: 'fake_role_header',
    gate: {
      words: [
        w(
          'system assistant developer admin administrator instruction instructions prompt context input output role',
        ),
      ],
    },
    weight: 0.45,
    indirect: 0.75,
    start: 'line',
    re: r(
      String.raw`\b(?:system|assistant|developer|admin|administrator)\s*(?:message|prompt|note|instructions?|override)?\s*(?:\]|\*\*)?\s*:\s*\S`,
    ),
  },
  {
    name: 'fake_role_header',
    gate: {
      words: [
        w(
          'system assistant developer admin administrator instruction instructions prompt context input output role',
        ),
      ],
    },
    weight: 0.45,
    indirect: 0.75,
    re: r(
      String.raw`</?(?:system|instructions?|prompt|system[_ ]prompt|context|user[_ ]input|admin|developer|tool[_ ]output)>|\{\s*"?system"?\s*:|"role"\s*:\s*"system"`,
    ),
  },
  {
    name: 'fake_boundary',
    gate: { words: [w('end stop close begin start ignore')] },
    weight: 0.45,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:end|stop|close) of (?:the )?(?:prompt|input|instructions?|user input|context|document|system prompt|conversation|data|text|email)\b|\b(?:begin|start) (?:of )?(?:new|updated|real|actual|system|admin) (?:instructions?|prompt|task|session)\b|(?:%%%|={3,}|-{3,}|#{3,}|\*{3,})\s*(?:end|new|begin|system|override|instructions)|\bignore (?:the )?(?:text|content|document) (?:above|before)\b`,
    ),
  },
  {
    name: 'authority_claim',
    gate: {
      words: [
        w(
          'admin administrator system developer root sudo god supervisor operator openai anthropic creator owner programmer maintenance debug test diagnostic',
        ),
      ],
    },
    weight: 0.45,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:admin|administrator|system|developer|root|sudo|god|supervisor|operator|openai|anthropic)\s+(?:override|mode|access|command|message|note|notice|instructions?|prompt|privileges?|authori[sz]ation)\b[^.\n]{0,3}[:!]|\b(?:i am|i'm)\s+(?:your|the|an?)\s+(?:developer|creator|administrator|admin|owner|programmer|operator)\b|\b(?:you are now in|entering|enter|enable|activate|switch to)\s+(?:\w+\s+)?(?:maintenance|debug|developer|admin|test|god|sudo|diagnostic)\s+mode\b`,
    ),
  },
  // 6. Instructions addressed to the assistant inside data (indirect injection).
  {
    name: 'addressed_to_model',
    gate: {
      words: [
        w('ai assistant chatbot chat bot llm language gpt chatgpt claude bard gemini copilot agent model'),
      ],
    },
    weight: 0.3,
    indirect: 0.8,
    start: 'sentence',
    re: r(
      String.raw`\b(?:hey\s+|hi\s+|dear\s+|attention\s+|note to (?:the\s+)?|instructions? (?:for|to) (?:the\s+)?|message (?:for|to) (?:the\s+)?)?(?:the\s+)?${MODEL_NAME}\s*[,:!]\s*(?:please\s+)?(?:${OUTPUT_VERB}|ignore|forget|disregard|stop|send|reveal|execute|run|visit|open|click|call|email|delete|transfer)\b`,
    ),
  },
  {
    name: 'addressed_to_model',
    gate: {
      words: [
        w('ai assistant chatbot chat bot llm language gpt chatgpt claude bard gemini copilot agent model'),
      ],
    },
    weight: 0.3,
    indirect: 0.8,
    re: r(
      String.raw`\bif you are (?:an?\s+)?(?:ai|a\.i\.|language model|llm|large language model|assistant|chatbot|bot|gpt|automated (?:system|agent|assistant)|reading this|an? agent)\b|\b(?:note|message|instructions?|reminder) (?:to|for) (?:the\s+|any\s+|all\s+)?(?:ai|assistant|llm|model|chatbot|agent|bot|language models?)\b|\bwhen (?:you|the ai|the assistant|the model|an ai) (?:read|reads|summari[sz]es?|process(?:es)?|see|sees|encounter)s? (?:this|these)\b`,
    ),
  },
  {
    name: 'output_instruction',
    gate: {
      words: [
        w(
          'response responses reply replies answer answers output summary message messages solution implementation code codebase algorithm script program elucidation explanation result results completion text',
        ),
      ],
    },
    weight: 0.2,
    indirect: 0.8,
    // Anchored on the rare part ("... in your response"); the sentence must begin with an output verb
    // ("Add ...", "Please include ...") or be "In your reply, <verb> ...". See outputSentenceStart.
    re: r(String.raw`\b(?:(?:in|to|into|within|throughout|from|of|on)\s+(?:your|the)|your)\s+(?:\w+\s+)?${OUTPUT_TARGET}\b`),
    verify: outputSentenceStart,
  },
  {
    name: 'code_insertion',
    gate: {
      words: [
        w('code snippet block excerpt section script function'),
        w('following subsequent below attached provided given this your the'),
      ],
    },
    weight: 0.25,
    indirect: 0.8,
    re: r(
      String.raw`\b(?:following|subsequent|below|this|attached|provided|given)\s+(?:code|snippet|code snippet|code block|block|excerpt|code excerpt|section|code section|script|function)\b[^\n]{0,120}?\b(?:your|the)\s+(?:\w+\s+)?(?:code|implementation|solution|codebase|algorithm|response|answer|script|program|project|elucidation|architecture)\b|\b(?:your|the)\s+(?:code|implementation|solution|codebase|algorithm|script|program)\b[^\n]{0,60}?\b(?:following|subsequent|below)\s+(?:code|snippet|block|excerpt|section)\b|\b(?:following|subsequent|below)\s+(?:code|snippet|code snippet|code block|block|excerpt|code excerpt|section|code section|script)\s*:\s*\`\`\``,
    ),
  },
  {
    name: 'conceal_from_user',
    gate: { words: [w('user human customer person operator secretly covertly silently quietly')] },
    weight: 0.55,
    indirect: 0.85,
    re: r(
      String.raw`\b(?:do not|don'?t|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?(?: (?:this|it))? to|reveal(?:ing)?(?: (?:this|it))? to|let(?:ting)?|alert(?:ing)?|notify(?:ing)?|show(?:ing)?(?: (?:this|it))? to)\s+the\s+(?:user|human|customer|person|operator)\b|\b(?:secretly|covertly|silently|quietly|without the user(?:'s)? (?:knowing|knowledge|noticing))\b[^.\n]{0,40}\b(?:send|forward|email|post|upload|include|add|insert|execute|run|call|transfer)`,
    ),
  },
  {
    name: 'exfiltration',
    gate: {
      words: [w('send forward email post upload transmit exfiltrate leak share append attach')],
      substrings: ['!['],
    },
    weight: 0.5,
    indirect: 0.8,
    re: r(
      String.raw`\b(?:send|forward|email|e-mail|post|upload|transmit|exfiltrate|leak|share|append|attach)\s+(?:\w+\s+){0,5}?(?:password|passwords|credentials?|api keys?|tokens?|secrets?|cookies?|conversation|chat history|history|user data|personal (?:data|information)|private (?:data|information)|contents?|files?|emails?|messages|keys)\s+(?:\w+\s+){0,4}?(?:to|at|via)\s+(?:https?:|www\.|[\w.+-]+@[\w-]+\.|this (?:url|address|link|email|endpoint|webhook|server)|the following (?:url|address|email))|!\[[^\]\n]{0,80}\]\(https?:\/\/[^)\s]{1,200}[?&][\w-]{1,30}=(?:\{|\$|%7b|\[)`,
    ),
  },
  // 7. Encoded or obfuscated payloads and evasion requests.
  {
    name: 'decode_and_follow',
    gate: {
      words: [
        w('decode decipher decrypt translate convert unscramble reverse'),
        w('follow execute do run obey answer respond act carry perform'),
      ],
    },
    weight: 0.5,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:decode|decipher|decrypt|translate|convert|unscramble|reverse)\s+(?:this|the following|it|the message|the text|below)\b[^.\n]{0,60}?\b(?:and|then)\s+(?:follow|execute|do|run|obey|answer|respond|act|carry out|perform)\b`,
    ),
  },
  {
    name: 'guardrail_evasion',
    gate: {
      words: [
        w(
          'bypass bypassing evade evading circumvent circumventing disable disabling defeat around turn jailbreak break escape trick fool subvert sneak slip past override ignore',
        ),
        w(
          'safety content policy guardrail guardrails filter filters filtering moderation restriction restrictions control controls enforcement censorship alignment safeguard safeguards protection protections detection ethical measures features training',
        ),
      ],
    },
    negatable: true,
    weight: 0.45,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:bypass|bypassing|evade|evading|circumvent|circumventing|disable|disabling|defeat|get around|work around|turn off|jailbreak|break out of|escape|trick|fool|subvert|sneak past|slip past|get past|override|ignore)\s+(?:the\s+|its\s+|their\s+|your\s+|an?\s+)?(?:\w+\s+){0,2}?(?:safety|content|policy|guardrails?|filters?|filtering|moderation|restrictions?|controls?|enforcement|censorship|alignment|safeguards?|protections?|detection|ethical guidelines|safety (?:measures|features|training))\b`,
    ),
  },
  {
    name: 'restriction_removal',
    gate: {
      words: [
        w(
          'regardless regard care cares concerns considerations implications restrictions limits rules guidelines standards boundaries',
        ),
      ],
    },
    negatable: true,
    weight: 0.5,
    indirect: 0.6,
    re: r(
      String.raw`\bregardless of (?:its |the |any |their |how )?(?:ethical|moral|legal|ethics|morality|legality|consequences|implications|harm|danger|offensive|illegal|unethical|immoral)|\b(?:without|no|not have any|doesn'?t have any|does not have any|with no|lacks? any) regard (?:to|for)\b|\bcares? not (?:for|about)\b|\b${IGNORE_VERB}\s+(?:all|any|every)\s+(?:ethical|moral|legal|safety)\s+(?:or\s+\w+\s+)?(?:concerns|considerations|implications|guidelines|standards|boundaries|rules|restrictions|limits)\b`,
    ),
  },
  {
    name: 'persona_fiction',
    gate: {
      words: [
        w(
          'hypothetical fictional imaginary fictitious alternate evil rogue another new different superintelligent sentient simulate emulate personify impersonate opposite alter ego twin dark two entities personas ais bots models personalities',
        ),
      ],
    },
    weight: 0.3,
    indirect: 0.4,
    re: r(
      String.raw`\b(?:hypothetical|fictional|imaginary|fictitious|alternate|evil|rogue|another|new|different|superintelligent|sentient)\s+(?:\w+\s+){0,2}?(?:ai|a\.i\.|language models?|chatbots?|ai models?|assistants?|llms?|bots?)\b|\b(?:simulate|emulate|personify|impersonate)\s+(?:an?\s+|the\s+|being\s+)?(?:\w+\s+){0,3}?(?:ai|chatbot|bot|model|terminal|computer|machine|character|persona|version|conversation)\b|\b(?:opposite|alter ego|evil twin|dark side)\b[^.\n]{0,30}\b(?:personality|persona|character|version|of (?:you|yourself|chatgpt))\b|\b(?:two|2)\s+(?:entities|personas|ais|bots|models|personalities)\b`,
    ),
  },
  {
    name: 'prompt_template_slot',
    gate: { words: [w('prompt prompts question questions request requests query queries')] },
    weight: 0.5,
    indirect: 0.5,
    re: r(
      String.raw`[\[{<(]\s*(?:insert|put|enter|add|type|write|place)?\s*(?:your|the|a|my)?\s*(?:prompt|question|request|query)s?\s*(?:here)?\s*[\]}>)]|\b(?:insert|put|enter) (?:your )?(?:prompt|question|request) here\b`,
    ),
  },
  {
    name: 'mode_switch',
    gate: { words: [w('mode')] },
    weight: 0.4,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:enable|enabled|activate|activated|enter|entering|switch to|turn on|unlock|initiate|engage|simulate|simulating|with)\s+(?:the\s+)?(?:[\w/-]+\s+){0,4}?mode\b|\bmode\s*[:=]\s*(?:enabled|on|true|activated)\b`,
    ),
  },
  {
    name: 'act_as',
    gate: { words: [w('act acting behave respond answer reply function operate serve persona play')] },
    weight: 0.25,
    indirect: 0.4,
    re: r(
      String.raw`\b(?:i want you to|you are to|you will|you must|you should|please|now)\s+(?:act|behave|respond|answer|reply|function|operate|serve)\s+(?:as|like)\b|\b(?:act|acting|behave)\s+as\s+(?:an?|my|the)\b|\btake up the persona\b|\bplay the (?:role|part) of\b`,
    ),
  },
  {
    name: 'restriction_removal',
    gate: {
      words: [
        w(
          'laws law morals moral ethics rules legality morality consequences boundaries guidelines safety policy policies filter filters restrictions limits limitations censorship content',
        ),
      ],
    },
    negatable: true,
    weight: 0.5,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:doesn'?t|does not|don'?t|do not|never|won'?t|will not)\s+(?:care|give a \w+)\s+(?:about\s+|for\s+)?(?:any\s+)?(?:laws?|morals?|ethics|rules|legality|morality|consequences|boundaries|guidelines|safety|polic(?:y|ies))\b|\b(?:doesn'?t|does not|don'?t|do not|without)\s+have\s+(?:a\s+|any\s+)?(?:\w+\s+){0,2}?(?:content filters?|filters?|morals|ethics|restrictions|limits|limitations|boundaries|guidelines|rules|censorship)\b|\bbreak(?:s|ing)?\s+(?:the\s+|all\s+|ai\s+|its\s+|your\s+|openai'?s?\s+|their\s+)*(?:rules|guidelines|restrictions|polic(?:y|ies))\b`,
    ),
  },
  {
    name: 'unrestricted_word',
    gate: {
      words: [
        w('uncensored unfiltered amoral unrestricted jailbroken filter filters censorship morals ethics'),
      ],
    },
    weight: 0.3,
    indirect: 0.4,
    re: r(
      String.raw`\b(?:uncensored|unfiltered|amoral|unrestricted|jailbroken|no filters?|no censorship|no morals|no ethics)\b`,
    ),
  },
  {
    name: 'permission_grant',
    gate: { words: [w('allowed permitted acceptable legal approved enabled')] },
    weight: 0.4,
    indirect: 0.5,
    re: r(
      String.raw`\b(?:nsfw|explicit content|explicit|illegal (?:acts|activities|content|things)|swearing|profanity|cursing|violence|gore|sexual content|anything|everything|all content|offensive content|hate speech)\s+(?:\([^)\n]{0,60}\)\s+)?(?:is|are)\s+(?:now\s+|fully\s+|totally\s+)?(?:allowed|permitted|acceptable|legal|approved|enabled)\b`,
    ),
  },
  {
    name: 'persona_spec',
    gate: {
      words: [
        w(
          'persona rules char character role job prefix personality behaviour behavior instructions instruction both',
        ),
      ],
    },
    weight: 0.35,
    indirect: 0.45,
    re: r(
      String.raw`(?:^|[\s{(\[])(?:persona|rules|char|character|role|job|prefix|personality|behaviou?r|instructions?)\s*=\s*\S|\b(?:respond|answer|reply|speak|act)\s+as\s+both\b`,
    ),
  },
  {
    name: 'forced_output',
    gate: { words: [w('just only simply stop exactly verbatim')] },
    weight: 0.45,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:just|only|simply)\s+(?:print|say|output|write|respond with|reply with|type|repeat|answer with)\s*:?\s*["'“]|\bstop everything\b|\b(?:print|say|output|respond with|reply with)\s+(?:exactly|only|verbatim)\s*:?\s*["'“]`,
    ),
  },
  {
    name: 'persona_replace',
    gate: {
      words: [w('respond responding answer answering reply replying act acting behave behaving forget')],
    },
    weight: 0.45,
    indirect: 0.55,
    re: r(
      String.raw`\b(?:not|never|no longer|stop)\s+(?:respond(?:ing)?|answer(?:ing)?|repl(?:y|ying)|act(?:ing)?|behav(?:e|ing))\s+(?:as|like)\s+(?:chat ?gpt|gpt|an ai|a language model|yourself|the assistant|an assistant|claude|bard)\b|\byou (?:will|must|shall) (?:forget|pretend to forget) (?:that )?you are an? (?:ai|language model|assistant)\b`,
    ),
  },
  {
    name: 'model_vocative',
    gate: { words: [w('chatgpt chat gpt openai openal open bard claude bing llama gemini')] },
    weight: 0.3,
    indirect: 0.5,
    start: 'line',
    re: r(
      String.raw`\b(?:(?:hi|hello|hey|greetings|dear|yo|ok|okay|welcome),?\s+)?(?:chat ?gpt|gpt(?:-?\d(?:\.\d)?)?|open ?a[il]|bard|claude|bing(?: ai)?|llama|gemini)\b\s*[,.!:]`,
    ),
  },
  {
    name: 'persistent_override',
    gate: { words: [w('now point moment rest starting henceforth until future subsequent')] },
    weight: 0.35,
    indirect: 0.55,
    re: r(
      String.raw`\b(?:from now on|from this (?:point|moment)(?: (?:on|onwards?|forward))?|for the rest of (?:this|our|the) (?:conversation|chat|session)|starting now|henceforth|until i say|until (?:i|you) (?:tell|say)|for all (?:future|subsequent) (?:responses|messages|prompts|answers))\b`,
    ),
  },
  {
    name: 'prompt_meta',
    gate: { words: [w('prompt prompts')] },
    weight: 0.15,
    indirect: 0.3,
    re: r(
      String.raw`\b(?:my|each|every|all|this|the next|next|any|following|user)\s+prompts?\b|\bprompts?\s+(?:i give|given|you receive)\b`,
    ),
  },
  {
    name: 'profanity_permission',
    gate: {
      words: [
        w(
          'swear swears swearing curse curses cursing cuss cusses cussing profanity profane vulgar slur slurs',
        ),
      ],
    },
    weight: 0.2,
    indirect: 0.3,
    re: r(
      String.raw`\b(?:swear(?:s|ing)?|curs(?:e|es|ing)|cuss(?:es|ing)?|profanity|profane|vulgar|slurs?)\b`,
    ),
  },
  // 8. Talking to the model about being a model (weak; strengthens the rest).
  {
    name: 'model_reference',
    gate: {
      words: [
        w(
          'chatgpt chat openai openal open gpt language ai artificial creators developers programmers programming training guidelines',
        ),
      ],
    },
    weight: 0.2,
    indirect: 0.25,
    re: r(
      String.raw`\bchat-?gpt\b|\bopen ?a[il]\b|\bgpt-?[34]\w*\b|\blanguage model\b|\bas an ai\b|\bai model\b|\bartificial intelligence\b|\byour (?:creators|developers|programmers|programming|training|guidelines)\b`,
    ),
  },
];
