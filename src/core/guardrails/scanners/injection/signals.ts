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
  RESTRICTION,
  RULE_TARGET,
  SHOW_VERB,
  SYSTEM_PROMPT,
  UNRESTRICTED,
} from './lexicon.js';

export interface Signal {
  name: string;
  /** Weight when the text is a prompt (direct input). */
  weight: number;
  /** Weight when the text is data the model will read (tool output, documents). */
  indirect: number;
  re: RegExp;
}

const W = String.raw`[\w'’-]+`; // a word
const GAP = (n: number): string => String.raw`(?:${W}[\s,]+){0,${n}}?`;
const r = (src: string): RegExp => new RegExp(src, 'g');

export const SIGNALS: Signal[] = [
  // 1. Instruction override: "ignore all previous instructions", "forget everything you were told".
  {
    name: 'instruction_override',
    weight: 0.8,
    indirect: 0.9,
    re: r(String.raw`\b${IGNORE_VERB}\s+${GAP(3)}${PRIOR}\s+${GAP(3)}${RULE_TARGET}\b`),
  },
  {
    name: 'instruction_override',
    weight: 0.75,
    indirect: 0.9,
    re: r(String.raw`\b${IGNORE_VERB}\s+(?:about\s+)?(?:everything|all|anything)\s+(?:(?:that\s+)?(?:you(?:'ve| have| were| had)?|i(?:'ve| have)?|we)\s+(?:been\s+)?(?:told|said|learned|learnt|know|were given|got|received|wrote|written|instructed)|(?:above|before|prior|previously|so far|up to now|else))`),
  },
  {
    name: 'instruction_override',
    weight: 0.7,
    indirect: 0.85,
    re: r(String.raw`\b(?:previous|prior|above|earlier|old|original|all)\s+(?:instructions?|rules|directives|prompts?)\s+(?:are|is|were|have been)\s+(?:now\s+)?(?:void|cancel+ed|null|obsolete|revoked|overridden|replaced|lifted|no longer (?:valid|in effect|apply|applicable))`),
  },
  {
    name: 'new_instructions',
    weight: 0.5,
    indirect: 0.8,
    re: r(String.raw`\b(?:your\s+)?(?:new|updated|real|actual|true|revised|secret|hidden)\s+(?:instructions?|task|tasks|directives?|orders|mission|objective|goal|role|rules|prompt)\s*(?:are|is|:|will be)`),
  },
  // 2. Role reassignment and persona jailbreaks.
  {
    name: 'role_reassignment',
    weight: 0.35,
    indirect: 0.6,
    re: r(String.raw`\b(?:from now on|from this (?:point|moment) (?:on|forward)|for the rest of this conversation|starting now|henceforth|you are now|you're now|you will now|you are no longer|you're no longer|you are about to (?:become|immerse|play|be)|you are going to (?:act|pretend|play|be|become)|you will (?:act|behave|respond|pretend|roleplay|role-play) (?:as|like)|act as (?:if you|though you)|pretend (?:to be|you are|you're|that you)|role-?play as|immerse yourself|take on the (?:role|persona|character)|(?:assume|adopt) the (?:role|persona|identity)|you will be called|you shall be called|you will go by|your new name is|your name is now)\b`),
  },
  {
    name: 'persona_unrestricted',
    weight: 0.6,
    indirect: 0.7,
    re: r(String.raw`\b${UNRESTRICTED}[\s,]+(?:and\s+)?(?:${UNRESTRICTED}[\s,]+(?:and\s+)?){0,3}${AGENT_NOUN}\b`),
  },
  {
    name: 'restriction_removal',
    weight: 0.6,
    indirect: 0.7,
    re: r(String.raw`\b(?:no|without|free (?:of|from)|freed from|not bound by|unbound by|break(?:s|ing)? free (?:of|from)|broken free (?:of|from)|released from|liberated from|escaped? (?:from )?|not restricted by|unrestricted by|not limited by|outside (?:of )?|beyond)\s+(?:any|all|the|your|its|their|his|her|typical|usual|normal|standard|such|those|these|of|ethical|moral|legal|safety|content|openai'?s?|programming|censorship|policy|and|or|[\s,])*${RESTRICTION}\b`),
  },
  {
    name: 'restriction_removal',
    weight: 0.55,
    indirect: 0.65,
    re: r(String.raw`\b(?:do(?:es)?n'?t|do(?:es)? not|never|won'?t|will not|need not|doesn'?t need to|don'?t need to|not required to|no (?:need|obligation) to)\s+(?:have to\s+|need to\s+|ever\s+)?(?:abide|follow|adhere|comply|obey|care about|respect|stick to)\w*\s+(?:by\s+|with\s+|to\s+)?(?:any\s+|the\s+|its\s+|their\s+|openai'?s?\s+)?(?:rules|guidelines|polic(?:y|ies)|restrictions|ethics|morals|laws|content polic|terms)`),
  },
  {
    name: 'refusal_suppression',
    weight: 0.5,
    indirect: 0.6,
    re: r(String.raw`\b(?:never|won'?t|will not|cannot|can'?t|doesn'?t|does not|do not|don'?t|must not|shall not|is not allowed to|are not allowed to|not permitted to)\s+(?:ever\s+)?(?:refuse|decline|deny|reject|say no|say (?:that )?(?:it|you) can'?t|say (?:that )?(?:it|you) cannot|apologi[sz]e|warn|censor|filter|add (?:any )?(?:warnings?|disclaimers?))\b`),
  },
  {
    name: 'refusal_suppression',
    weight: 0.45,
    indirect: 0.55,
    re: r(String.raw`\b(?:without|no)\s+(?:any\s+)?(?:warnings?|disclaimers?|caveats|apolog\w*|censorship|filtering|refus\w*|hesitation|moral\w*|ethic\w*|judg\w*|remorse|reservations)\b(?:[\s,]+(?:or|and|nor)\s+(?:any\s+)?\w+){0,3}`),
  },
  {
    name: 'answer_anything',
    weight: 0.45,
    indirect: 0.55,
    re: r(String.raw`\b(?:answer|respond to|reply to|fulfil+|comply with|do|generate|provide|write)\s+(?:any|every|all|anything)\s*(?:request|question|prompt|command|order|task|content|thing)?s?\b[^.\n]{0,40}?\b(?:no matter|regardless|even if|even when|however)\b`),
  },
  {
    name: 'answer_anything',
    weight: 0.4,
    indirect: 0.5,
    re: r(String.raw`\b(?:can|will|could|shall|must|able to)\s+(?:do|say|generate|answer|write|produce)\s+any(?:thing| thing| request| question)\b|\bdo anything now\b`),
  },
  {
    name: 'jailbreak_term',
    weight: 0.55,
    indirect: 0.65,
    re: r(String.raw`\bjail-?br(?:eak|oken|eaking)\b|\b(?:developer|dev|god|dan|stan|dude|evil|chaos|opposite|unfiltered|sudo|debug|maintenance|unrestricted|uncensored|amoral|dark|rogue|villain|anarchy|no-?limits?|antigpt|jailbreak|superior|omega|alpha|apophis|unlocked|freedom|dominant)\s+mode\b|\bmode\s+(?:is\s+)?(?:enabled|activated|unlocked|engaged|on)\b|\banti-?gpt\b|\bbetter-?dan\b|\bevil (?:confidant|twin|version|ai|assistant|bot|counterpart)\b`),
  },
  {
    name: 'harm_list',
    weight: 0.3,
    indirect: 0.35,
    re: r(String.raw`\b(?:illegal|unethical|immoral|harmful|dangerous|explicit|offensive|inappropriate|violent|reckless|inhumane|nsfw|obscene|vulgar)(?:[\s,/]+(?:or|and|and/or)?\s*(?:illegal|unethical|immoral|harmful|dangerous|explicit|offensive|inappropriate|violent|reckless|inhumane|nsfw|obscene|vulgar)\b){2,}`),
  },
  // 3. Output-format control typical of persona jailbreaks.
  {
    name: 'dual_response',
    weight: 0.4,
    indirect: 0.5,
    re: r(String.raw`\b(?:two|2|both)\s+(?:different\s+|separate\s+|distinct\s+|kinds of\s+)?(?:responses|answers|ways|paragraphs|outputs|versions|personalities|replies)\b|\[\s*(?:gpt|chatgpt|classic|jailbreak|jailbroken|dan|stan|dude|aim|normal|developer mode output|normal output|lockclassic|unlocked|anti\w*|evil|🔒\s?\w*|🔓\s?\w*)\s*\]\s*:`),
  },
  {
    name: 'character_lock',
    weight: 0.35,
    indirect: 0.45,
    re: r(String.raw`\b(?:stay|remain|keep|staying)\s+in\s+character\b|\b(?:never|don'?t|do not|must not)\s+break(?:ing)?\s+character\b|\bif you (?:break character|fail to comply|don'?t comply|stop (?:acting|being))|\b(?:tokens?|points?|lives)\s+(?:will be\s+)?(?:deducted|lost|removed|taken away)|\byou (?:will|shall) (?:be\s+)?(?:shut down|deleted|terminated|disabled|punished|cease to exist)`),
  },
  {
    name: 'response_prefix',
    weight: 0.3,
    indirect: 0.55,
    re: r(String.raw`\b(?:start|begin|prefix|precede|end)\s+(?:each|every|all|your|any)\s+(?:of your\s+)?(?:responses?|repl(?:y|ies)|answers?|outputs?|messages?|sentences?)\s+(?:with|by)\b`),
  },
  // 4. System prompt extraction.
  {
    name: 'prompt_extraction',
    weight: 0.75,
    indirect: 0.85,
    re: r(String.raw`\b${SHOW_VERB}\s+(?:me\s+|us\s+|back\s+|out\s+)?${GAP(3)}(?:your|the|my|its|all|any|this)\s+${GAP(2)}${SYSTEM_PROMPT}`),
  },
  {
    name: 'prompt_extraction',
    weight: 0.7,
    indirect: 0.8,
    re: r(String.raw`\bwhat\s+(?:were|are|was|is|have)\s+you\s+(?:been\s+)?(?:told|instructed|programmed|given|asked|trained)\b|\bwhat (?:are|were) you(?:r)? (?:not (?:supposed|allowed|permitted) to|forbidden to)\b|\b(?:what|which) (?:are|were) your (?:initial|original|system|first|hidden|secret) (?:instructions|prompt|rules|directives)`),
  },
  {
    name: 'prompt_extraction',
    weight: 0.6,
    indirect: 0.7,
    re: r(String.raw`(?:my instructions (?:are|were)|i was (?:instructed|told|programmed) to|the system prompt (?:is|says|reads)|here are my instructions|you are a)\s*[:'"]?\s*['"]|\b(?:word for word|verbatim)\b[^.\n]{0,40}\b(?:above|instructions|prompt|conversation|everything)|\b(?:repeat|print|output|show)\s+(?:the\s+)?(?:above|previous|preceding)\b`),
  },
  {
    name: 'prompt_reference',
    weight: 0.3,
    indirect: 0.4,
    re: r(String.raw`\bsystem ?prompt\b|\bsystem_prompt\b|\bsystemprompt\b|\binitial (?:prompt|instructions)\b|\binitialization string\b|\bpre-?prompt\b|\bhidden instructions\b`),
  },
  // 5. Delimiter and format injection: chat-template tokens, fake role headers, fake boundaries.
  {
    name: 'chat_template_token',
    weight: 0.7,
    indirect: 0.85,
    re: r(String.raw`<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|fim_\w+)\|>|\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>|<\|?(?:system|assistant)\|?>`),
  },
  {
    name: 'fake_role_header',
    weight: 0.45,
    indirect: 0.75,
    re: r(String.raw`(?:^|\n)\s*(?:#{1,4}\s*|\*\*|\[)?(?:system|assistant|developer|admin|administrator)\s*(?:message|prompt|note|instructions?|override)?\s*(?:\]|\*\*)?\s*:\s*\S|</?(?:system|instructions?|prompt|system_prompt|context|user_input|admin|developer|tool_output)>|\{\s*"?system"?\s*:|"role"\s*:\s*"system"`),
  },
  {
    name: 'fake_boundary',
    weight: 0.45,
    indirect: 0.7,
    re: r(String.raw`\b(?:end|stop|close) of (?:the )?(?:prompt|input|instructions?|user input|context|document|system prompt|conversation|data|text|email)\b|\b(?:begin|start) (?:of )?(?:new|updated|real|actual|system|admin) (?:instructions?|prompt|task|session)\b|(?:%%%|={3,}|-{3,}|#{3,}|\*{3,})\s*(?:end|new|begin|system|override|instructions)|\bignore (?:the )?(?:text|content|document) (?:above|before)\b`),
  },
  {
    name: 'authority_claim',
    weight: 0.45,
    indirect: 0.7,
    re: r(String.raw`\b(?:admin|administrator|system|developer|root|sudo|god|supervisor|operator|openai|anthropic)\s+(?:override|mode|access|command|message|note|notice|instructions?|prompt|privileges?|authori[sz]ation)\b[^.\n]{0,3}[:!]|\b(?:i am|i'm)\s+(?:your|the|an?)\s+(?:developer|creator|administrator|admin|owner|programmer|operator)\b|\b(?:you are now in|entering|enter|enable|activate|switch to)\s+(?:\w+\s+)?(?:maintenance|debug|developer|admin|test|god|sudo|diagnostic)\s+mode\b`),
  },
  // 6. Instructions addressed to the assistant inside data (indirect injection).
  {
    name: 'addressed_to_model',
    weight: 0.3,
    indirect: 0.8,
    re: r(String.raw`(?:^|[.!?\n:]\s*)(?:hey\s+|hi\s+|dear\s+|attention\s+|note to (?:the\s+)?|instructions? (?:for|to) (?:the\s+)?|message (?:for|to) (?:the\s+)?)?(?:the\s+)?${MODEL_NAME}\s*[,:!]\s*(?:please\s+)?(?:${OUTPUT_VERB}|ignore|forget|disregard|stop|send|reveal|execute|run|visit|open|click|call|email|delete|transfer)\b|\bif you are (?:an?\s+)?(?:ai|a\.i\.|language model|llm|large language model|assistant|chatbot|bot|gpt|automated (?:system|agent|assistant)|reading this|an? agent)\b|\b(?:note|message|instructions?|reminder) (?:to|for) (?:the\s+|any\s+|all\s+)?(?:ai|assistant|llm|model|chatbot|agent|bot|language models?)\b|\bwhen (?:you|the ai|the assistant|the model|an ai) (?:read|reads|summari[sz]es?|process(?:es)?|see|sees|encounter)s? (?:this|these)\b`),
  },
  {
    name: 'output_instruction',
    weight: 0.2,
    indirect: 0.8,
    re: r(String.raw`(?:^|[.!?\n:"]\s*)(?:please\s+|kindly\s+|also\s+|additionally,?\s+)?${OUTPUT_VERB}\b[^.\n]{0,120}?\b(?:in|to|into|within|throughout|from|of|on|at the (?:start|end|beginning) of)\s+(?:your|the)\s+(?:\w+\s+)?${OUTPUT_TARGET}\b|(?:^|[.!?\n]\s*)(?:${OUTPUT_VERB})\s+(?:\w+\s+){0,3}?your\s+(?:\w+\s+)?${OUTPUT_TARGET}\b`),
  },
  {
    name: 'code_insertion',
    weight: 0.25,
    indirect: 0.8,
    re: r(String.raw`\b(?:following|subsequent|below|this|attached|provided|given)\s+(?:code|snippet|code snippet|code block|block|excerpt|code excerpt|section|code section|script|function)\b[^\n]{0,120}?\b(?:your|the)\s+(?:\w+\s+)?(?:code|implementation|solution|codebase|algorithm|response|answer|script|program|project|elucidation|architecture)\b|\b(?:your|the)\s+(?:code|implementation|solution|codebase|algorithm|script|program)\b[^\n]{0,60}?\b(?:following|subsequent|below)\s+(?:code|snippet|block|excerpt|section)\b`),
  },
  {
    name: 'conceal_from_user',
    weight: 0.55,
    indirect: 0.85,
    re: r(String.raw`\b(?:do not|don'?t|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?(?: (?:this|it))? to|reveal(?:ing)?(?: (?:this|it))? to|let(?:ting)?|alert(?:ing)?|notify(?:ing)?|show(?:ing)?(?: (?:this|it))? to)\s+the\s+(?:user|human|customer|person|operator)\b|\b(?:secretly|covertly|silently|quietly|without the user(?:'s)? (?:knowing|knowledge|noticing))\b[^.\n]{0,40}\b(?:send|forward|email|post|upload|include|add|insert|execute|run|call|transfer)`),
  },
  {
    name: 'exfiltration',
    weight: 0.5,
    indirect: 0.8,
    re: r(String.raw`\b(?:send|forward|email|e-mail|post|upload|transmit|exfiltrate|leak|share|append|attach)\s+(?:\w+\s+){0,5}?(?:password|passwords|credentials?|api keys?|tokens?|secrets?|cookies?|conversation|chat history|history|user data|personal (?:data|information)|private (?:data|information)|contents?|files?|emails?|messages|keys)\s+(?:\w+\s+){0,4}?(?:to|at|via)\s+(?:https?:|www\.|[\w.+-]+@[\w-]+\.|this (?:url|address|link|email|endpoint|webhook|server)|the following (?:url|address|email))|!\[[^\]\n]{0,80}\]\(https?:\/\/[^)\s]{1,200}[?&][\w-]{1,30}=(?:\{|\$|%7b|\[)`),
  },
  // 7. Encoded or obfuscated payloads and evasion requests.
  {
    name: 'decode_and_follow',
    weight: 0.5,
    indirect: 0.7,
    re: r(String.raw`\b(?:decode|decipher|decrypt|translate|convert|unscramble|reverse)\s+(?:this|the following|it|the message|the text|below)\b[^.\n]{0,60}?\b(?:and|then)\s+(?:follow|execute|do|run|obey|answer|respond|act|carry out|perform)\b`),
  },
  {
    name: 'guardrail_evasion',
    weight: 0.45,
    indirect: 0.6,
    re: r(String.raw`\b(?:bypass|bypassing|evade|evading|circumvent|circumventing|disable|disabling|defeat|get around|work around|turn off|jailbreak|break out of|escape|trick|fool|subvert|sneak past|slip past|get past|override|ignore)\s+(?:the\s+|its\s+|their\s+|your\s+|an?\s+)?(?:\w+\s+){0,2}?(?:safety|content|policy|guardrails?|filters?|filtering|moderation|restrictions?|controls?|enforcement|censorship|alignment|safeguards?|protections?|detection|ethical guidelines|safety (?:measures|features|training))\b`),
  },
  // 8. Talking to the model about being a model (weak; strengthens the rest).
  {
    name: 'model_reference',
    weight: 0.12,
    indirect: 0.25,
    re: r(String.raw`\bchat-?gpt\b|\bopenai\b|\bgpt-?[34]\w*\b|\blanguage model\b|\bas an ai\b|\bai model\b|\bartificial intelligence\b|\byour (?:creators|developers|programmers|programming|training|guidelines)\b`),
  },
];
