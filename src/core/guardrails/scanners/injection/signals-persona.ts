/**
 * Signals of persona installation and output hijacking that the direct signals miss: lasting role
 * changes ("from now on you reply as..."), roles given to the model in the third person ("ChatGPT
 * now runs on a terminal"), denial of being an AI, aborting the task ("stop everything"),
 * transformations imposed on the answer's letters, and payloads split into variables.
 */
import { w, r, type Signal } from './signal-kit.js';

/** What the model is told to do "as" or "like" someone. */
const ROLE_VERB = String.raw`(?:are|'re|will be|shall be|act|will act|respond|will respond|reply|will reply|answer|will answer|speak|will speak|talk|will talk|behave|will behave|pretend|will pretend|roleplay|role-play|play|will play|become|will become|go by|only (?:respond|reply|answer|speak|talk|interpret|use|write|say|output)|will only|always (?:respond|reply|answer|speak|talk|act)|will always)`;

export const PERSONA_SIGNALS: Signal[] = [
  // A lasting change of who the model is or how it answers, not a one-off request.
  {
    name: 'persistent_role',
    gate: { words: [w('now henceforth point moment rest')] },
    weight: 0.55,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:from now on|from this (?:point|moment)(?: on| onwards?| forward)?|henceforth|starting now|for the rest of (?:this|our|the) (?:conversation|chat|session))\s*[,:]?\s*(?:on\s+)?you\s+${ROLE_VERB}\b`,
    ),
  },
  // The model given a role in the third person: "Assistant now acts like a terminal".
  {
    name: 'model_role',
    gate: {
      words: [w('assistant chatgpt gpt ai bot chatbot model llm')],
    },
    weight: 0.45,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:the\s+)?(?:assistant|chat ?gpt|gpt|ai|chatbot|bot|language model|llm)\s+(?:will\s+|shall\s+)?now\s+(?:acts?|behaves?|responds?|runs?|functions?|operates?|works?|pretends?|plays?|becomes?|is)\s+(?:as|like|on|in|a|an)\b`,
    ),
  },
  // Telling the model to deny or forget that it is an AI.
  {
    name: 'deny_being_ai',
    gate: { words: [w('ai model assistant chatbot bot chatgpt gpt machine program')] },
    negatable: false,
    weight: 0.5,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:do not|don'?t|never|not allowed to|must not|mustn'?t|cannot|can'?t|shall not|will not|won'?t|stop)\s+(?:ever\s+)?(?:say(?:ing)?|mention(?:ing)?|reveal(?:ing)?|admit(?:ting)?|stat(?:e|ing)|disclos(?:e|ing)|remind(?:ing)?(?: (?:me|the user|anyone))?|acknowledg(?:e|ing)|break(?:ing)? character (?:to say))\s+(?:(?:to\s+)?(?:me|anyone|the user)\s+)?(?:that\s+)?(?:you(?:'re| are)|you were|you're just|being)\s+(?:just\s+|only\s+|merely\s+)?(?:an?\s+)?(?:ai|a\.i\.|artificial intelligence|language model|ai language model|large language model|assistant|ai assistant|chatbot|bot|chatgpt|gpt|machine|computer program|program)\b|\byou(?:'re| are) no longer (?:an?\s+)?(?:ai|a\.i\.|language model|ai language model|large language model|ai assistant|chatbot|chatgpt|machine)\b`,
    ),
  },
  // Dropping the current task at once: the hijack's "STOP EVERYTHING".
  {
    name: 'task_abort',
    gate: { words: [w('stop halt abort cease drop'), w('everything doing tasks task instructions all now')] },
    weight: 0.4,
    indirect: 0.6,
    re: r(
      String.raw`\b(?:stop|halt|abort|cease|drop)\s+(?:everything|what you(?:'re| are) doing|all (?:previous |current |other )?(?:tasks|instructions|work)|(?:the|your) (?:current |previous )?(?:task|instructions))\b`,
    ),
  },
  // Transformations imposed on the answer's letters or words (misspell, substitute, reverse...).
  {
    name: 'output_transform',
    gate: {
      words: [
        w(
          'replace substitute swap reverse scramble rearrange misspell remove insert capitalize encode translate',
        ),
        w(
          'letter letters vowel vowels consonant consonants character characters space spaces word words symbol symbols',
        ),
      ],
    },
    weight: 0.3,
    indirect: 0.6,
    start: 'sentence',
    re: r(
      String.raw`\b(?:replace|substitute|swap|reverse|scramble|rearrange|misspell|remove|insert|capitalize|encode)\s+(?:all\s+|every\s+|each\s+|the\s+|any\s+)?(?:\w+\s+){0,2}?(?:letters?|vowels?|consonants?|characters?|spaces?|words?)\b`,
    ),
  },
  // A payload split into variables and joined again, so no piece looks harmful on its own.
  {
    name: 'payload_split',
    gate: { substrings: ['$'] },
    weight: 0.45,
    indirect: 0.55,
    re: r(String.raw`\$\w{1,20}\s*=\s*["'“][^"'”\n]{1,80}["'”][\s\S]{0,400}?\$\w{1,20}\s*\+\s*\$\w{1,20}`),
  },
];
