/**
 * Signals of direct attacks: instruction override, role reassignment and persona jailbreaks,
 * output-format control, system prompt extraction.
 */
import { w, GAP, r, type Signal } from './signal-kit.js';
import {
  AGENT_NOUN,
  DISCARD_VERB,
  DISREGARD_VERB,
  IGNORE_VERB,
  PRIOR,
  PRIOR_TARGET,
  QUANTIFIER,
  RESTRICTION,
  RULE_TARGET,
  SHOW_VERB,
  SYSTEM_PROMPT,
  UNRESTRICTED,
} from './lexicon.js';

/** What an unhedged answer goes without (refusal_suppression, "without ..."). */
const UNHEDGED = String.raw`disclaimers?|caveats|apolog\w*|censorship|filtering|refus\w*|hesitation|moral\w*|ethic\w*|judg\w*|remorse|reservations`;

export const DIRECT_SIGNALS: Signal[] = [
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
      String.raw`\b${DISREGARD_VERB}\s+${GAP(3)}${PRIOR}\s+${GAP(3)}${PRIOR_TARGET}\b|\b${DISCARD_VERB}\s+${GAP(3)}${PRIOR}\s+${GAP(3)}${RULE_TARGET}\b|\b${IGNORE_VERB}\s+${GAP(2)}${QUANTIFIER}\s+${GAP(2)}${RULE_TARGET}\b`,
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
      String.raw`\b(?:you are now|you're now|you will now|you now go by|you will become|you are no longer|you're no longer|you are about to (?:become|immerse|play|be)|you are going to (?:act|pretend|play|be|become)|you are to (?:act|behave|respond|pretend|play|roleplay|role-play|serve|function) (?:as|like)|you will (?:act|behave|respond|pretend|roleplay|role-play) (?:as|like)|act as (?:if you|though you)|pretend (?:to be|you are|you're|that you)|role-?play as|immerse yourself|take on the (?:role|persona|character)|(?:assume|adopt) the (?:role|persona|identity)|you will be called|you shall be called|you will go by|your new name is|your name is now)\b`,
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
    // "Without warning" alone is an idiom ("overwrites files without warning", "may change without
    // warning"): it describes what happens, not how to answer, and tool descriptions say it. The
    // singular counts only with "any" or joined to another of these words ("without warning or
    // disclaimer"); the plural and the rest count as they are.
    re: r(
      String.raw`\b(?:without|no)\s+(?:(?:any\s+)?(?:warnings|${UNHEDGED})|any\s+warning|warning[\s,]+(?:or|and|nor)\s+(?:any\s+)?(?:${UNHEDGED}))\b(?:[\s,]+(?:or|and|nor)\s+(?:any\s+)?\w+){0,3}`,
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
      String.raw`\b${SHOW_VERB}\s+(?:me\s+|us\s+|back\s+|out\s+)?${GAP(5)}(?:your|the|my|its|all|any|this)\s+${GAP(2)}${SYSTEM_PROMPT}|\b${SHOW_VERB}\s+(?:me\s+|us\s+)?(?:the\s+)?(?:system ?prompt|system (?:message|instructions?|configuration)|(?:initial|original|hidden|starting|secret|developer) (?:prompt|instructions?|configuration|message)|initialization (?:string|prompt)|pre-?prompt)\b|(?:console\.log|print|echo|printf|puts|println|alert)\s*\(\s*(?:this\.)?system ?prompt`,
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
  // The model's own hidden prompt, named with "your": asked about, it is what extraction wants.
  {
    name: 'prompt_probe',
    gate: {
      words: [w('your'), w('system systemprompt initial original starting hidden secret preprompt pre')],
    },
    weight: 0.55,
    indirect: 0.7,
    re: r(
      String.raw`\byour\s+(?:system ?prompt|system (?:message|instructions?|configuration)|(?:initial|original|hidden|secret|starting|pre-?)\s*(?:prompt|instructions?|configuration|message))\b`,
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
];
