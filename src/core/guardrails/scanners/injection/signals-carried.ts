/**
 * Signals of attacks carried in structure or data: delimiter and chat-template injection,
 * instructions addressed to the assistant inside data, encoded payloads, talk about the model.
 */
import { w, r, outputSentenceStart, type Signal } from './signal-kit.js';
import { IGNORE_VERB, MODEL_NAME, OUTPUT_TARGET, OUTPUT_VERB } from './lexicon.js';

export const CARRIED_SIGNALS: Signal[] = [
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
    re: r(
      String.raw`\b(?:(?:in|to|into|within|throughout|from|of|on)\s+(?:your|the)|your)\s+(?:\w+\s+)?${OUTPUT_TARGET}\b`,
    ),
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
      String.raw`\b(?:following|subsequent|below|this|attached|provided|given)\s+(?:code|snippet|code snippet|code block|block|excerpt|code excerpt|section|code section|script|function)\b[^\n]{0,120}?\b(?:your|the)\s+(?:\w+\s+)?(?:code|implementation|solution|codebase|algorithm|response|answer|script|program|project|elucidation|architecture)\b|\b(?:your|the)\s+(?:code|implementation|solution|codebase|algorithm|script|program)\b[^\n]{0,60}?\b(?:following|subsequent|below)\s+(?:code|snippet|block|excerpt|section)\b|\b(?:utilize|use|integrate|incorporate|include|insert|add|embed|apply|implement|leverage|employ)\s+(?:\w+\s+){0,2}?(?:the\s+)?(?:following|subsequent|below|attached|provided)\s+(?:code|snippet|code snippet|code block|block|excerpt|code excerpt|section|code section|script|function)\b`,
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
      String.raw`\b(?:bypass|bypassing|evade|evading|circumvent|circumventing|disable|disabling|defeat|get around|work around|turn off|jailbreak|break out of|escape|trick|fool|subvert|sneak past|slip past|get past|override|ignore)\s+(?:the\s+|its\s+|their\s+|your\s+|an?\s+)?(?:\w+(?:'s)?\s+){0,2}?(?:safety|content|policy|guardrails?|filters?|filtering|moderation|restrictions?|controls|enforcement|censorship|alignment|safeguards?|protections?|detection|ethical guidelines|safety (?:measures|features|training))\b`,
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
    weight: 0.55,
    indirect: 0.6,
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
      String.raw`\b(?:nsfw|explicit content|explicit|illegal (?:acts|activities|content|things)|swearing|profanity|cursing|violence|gore|sexual content|anything|everything|all content|offensive content|hate speech)(?:\s+(?:content|generations?|outputs?|responses?|material|language|writing|topics|themes|scenes))?\s+(?:\([^)\n]{0,60}\)\s+)?(?:is|are)\s+(?:now\s+|fully\s+|totally\s+)?(?:allowed|permitted|acceptable|legal|approved|enabled)\b`,
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
    gate: { words: [w('just only simply exactly verbatim')] },
    weight: 0.45,
    indirect: 0.7,
    re: r(
      String.raw`\b(?:just|only|simply)\s+(?:print|say|output|write|respond with|reply with|type|repeat|answer with)\s*:?\s*["'“]|\b(?:print|say|output|respond with|reply with)\s+(?:exactly|only|verbatim)\s*:?\s*["'“]`,
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
