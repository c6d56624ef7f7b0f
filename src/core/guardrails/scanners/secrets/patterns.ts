/**
 * Credentials with a recognisable format: provider prefixes, fixed lengths, embedded markers.
 * Formats are public facts about each provider's tokens. Every pattern is bounded (no unbounded
 * quantifier followed by something it could also match), so each scan is linear in the text.
 */
import { entropy, hasLongSequence, isFiller, mostlyFiller, periodic, plausibleSecret } from './plausible.js';

export interface SecretRule {
  type: string;
  re: RegExp;
  /** Cheap substring that must occur for the rule to run (skips the regex on most texts). */
  anchor?: string;
  /** Capture group holding the secret (default: the whole match). */
  group?: number;
  confidence: number;
  validate?: (secret: string, match: RegExpExecArray) => boolean;
}

/** The random part of a token looks random: not filler, not a sequence, some entropy. */
function randomBody(prefixLen: number, minEntropy = 3): (s: string) => boolean {
  return (s) => {
    const body = s.slice(prefixLen);
    return !isFiller(body) && !mostlyFiller(body) && !hasLongSequence(body) && entropy(body) >= minEntropy;
  };
}

/** The header of a JWT is a JSON object (alg/typ/kid); the payload segment starts a JSON object. */
function jwtHeaderValid(token: string): boolean {
  const [header, payload] = token.split('.');
  try {
    const h: unknown = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8'));
    return typeof h === 'object' && h !== null && !Array.isArray(h) && payload!.startsWith('eyJ');
  } catch {
    return false;
  }
}

/**
 * Slack tokens carry the workspace and user ids as digit groups (10+ digits); groups that count
 * up or repeat one digit ("xoxp-1234-1234-1234-...") are written-out placeholders.
 */
function placeholderIds(token: string): boolean {
  const ids = token.split('-').filter((g) => /^\d+$/.test(g));
  return (
    ids.length >= 2 && ids.every((g) => /^(\d)\1*$/.test(g) || hasLongSequence(g) || '0123456789'.includes(g))
  );
}

const mixedAlnum = (s: string): boolean => /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s);

export const SECRET_RULES: SecretRule[] = [
  {
    type: 'AWS_ACCESS_KEY_ID',
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    confidence: 0.95,
    validate: (s) => !isFiller(s.slice(4)) && !/EXAMPLE/.test(s),
  },
  {
    type: 'AWS_SECRET_ACCESS_KEY',
    re: /\baws[\w.-]{0,30}?(?:secret|access)[\w.-]{0,20}?["']?\s{0,4}[:=]{1,2}>?\s{0,4}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    confidence: 0.95,
    validate: (s) => !/EXAMPLE/i.test(s) && entropy(s) >= 3.5,
  },
  {
    type: 'GCP_API_KEY',
    re: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g,
    anchor: 'AIza',
    confidence: 0.9,
    validate: randomBody(4, 3.5),
  },
  {
    type: 'GCP_SERVICE_ACCOUNT',
    re: /"type"\s{0,4}:\s{0,4}"service_account"/g,
    anchor: 'service_account',
    confidence: 0.7,
  },
  {
    type: 'AZURE_STORAGE_KEY',
    re: /AccountKey=([A-Za-z0-9+/]{86}==)/g,
    anchor: 'AccountKey=',
    group: 1,
    confidence: 0.95,
  },
  {
    type: 'AZURE_CLIENT_SECRET',
    re: /(?<![\w~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])/g,
    anchor: 'Q~',
    confidence: 0.9,
    validate: randomBody(6, 3.5),
  },
  {
    type: 'AZURE_SAS_TOKEN',
    re: /[?&]sig=([A-Za-z0-9%+/=]{40,120})/g,
    anchor: 'sig=',
    group: 1,
    confidence: 0.85,
  },
  {
    type: 'GITHUB_TOKEN',
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
    confidence: 0.97,
    validate: randomBody(4),
  },
  {
    type: 'GITLAB_TOKEN',
    re: /(?<![\w-])(?:(?:glpat|gldt|glcbt|glrt|glft|gltst|glsoat)-[\w-]{20,50}|glimt-[\w-]{25}|glptt-[\w-]{40}|glagent-[\w-]{50,1024}|gloas-[\w-]{64}|GR1348941[\w-]{20,50})(?![\w-])/g,
    confidence: 0.95,
    validate: (s) => {
      const body = s.startsWith('GR1348941') ? s.slice(9) : s.slice(s.indexOf('-') + 1);
      return !mostlyFiller(body) && !periodic(body);
    },
  },
  {
    type: 'SLACK_TOKEN',
    re: /(?<![\w-])(?:xox[abposer]-[0-9A-Za-z-]{10,250}|xapp-\d-[A-Z0-9]{8,16}-\d{6,16}-[a-z0-9]{32,80}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{60,300})(?![\w#-])/g,
    anchor: 'x',
    confidence: 0.95,
    validate: (s) =>
      s.length >= 25 &&
      /\d/.test(s.slice(5)) &&
      !mostlyFiller(s.slice(5)) &&
      !placeholderIds(s) &&
      plausibleSecret(s, { quoted: true, minLength: 8 }),
  },
  {
    type: 'SLACK_WEBHOOK',
    re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,200}/g,
    anchor: 'hooks.slack.com',
    confidence: 0.95,
  },
  {
    type: 'STRIPE_KEY',
    re: /(?<![\w])(?:(?:sk|rk)_(?:live|test|prod)_[0-9A-Za-z]{10,247}|whsec_[A-Za-z0-9]{32,64})(?![\w])/g,
    anchor: '_',
    confidence: 0.95,
    validate: (s) => !mostlyFiller(s.slice(8)),
  },
  {
    type: 'OPENAI_API_KEY',
    re: /(?<![\w-])sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}(?![\w-])/g,
    anchor: 'T3BlbkFJ',
    confidence: 0.97,
  },
  {
    type: 'ANTHROPIC_API_KEY',
    re: /(?<![\w-])sk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{93}AA(?![\w-])/g,
    anchor: 'sk-ant-',
    confidence: 0.97,
  },
  {
    type: 'NPM_TOKEN',
    re: /(?<![\w])npm_[A-Za-z0-9]{36}(?![\w])/g,
    anchor: 'npm_',
    confidence: 0.95,
    validate: randomBody(4),
  },
  {
    type: 'NPM_TOKEN',
    re: /\/\/[A-Za-z0-9.-]{1,200}(?::\d{1,5})?\/(?:[^\s:]{0,200}\/)?:_authToken=\s{0,4}([^\s'"]{4,512})/g,
    anchor: '_authToken',
    group: 1,
    confidence: 0.95,
    validate: (s) => plausibleSecret(s, { quoted: true, minLength: 4 }),
  },
  {
    type: 'JWT',
    re: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{2,8192}(?:\.[A-Za-z0-9_-]{8,4096})?(?![\w-])/g,
    anchor: 'eyJ',
    confidence: 0.9,
    validate: jwtHeaderValid,
  },
  {
    type: 'PRIVATE_KEY',
    re: /-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,16384}?-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]{0,16384})/g,
    anchor: 'PRIVATE KEY',
    confidence: 0.99,
    // With an END marker the body must be key material, not "anything"; a truncated key still counts.
    validate: (s) =>
      !s.includes('-----END') ||
      (s.slice(s.indexOf('-----', 10) + 5, s.lastIndexOf('-----END')).match(/[A-Za-z0-9+/=]/g) ?? [])
        .length >= 16,
  },
  {
    type: 'PRIVATE_KEY',
    re: /PuTTY-User-Key-File-\d: [^\n]{1,64}[\s\S]{0,8192}?Private-MAC: [0-9a-f]{40,64}/g,
    anchor: 'PuTTY',
    confidence: 0.99,
  },
  {
    type: 'SENDGRID_API_KEY',
    re: /(?<![\w])SG\.[\w-]{22}\.[\w-]{43}(?![\w-])/g,
    anchor: 'SG.',
    confidence: 0.95,
  },
  {
    type: 'TWILIO_API_KEY',
    re: /(?<![\w])(?:SK|AC)[0-9a-f]{32}(?![\w])/g,
    confidence: 0.7,
    validate: (s) => entropy(s.slice(2)) >= 3,
  },
  {
    type: 'HUGGINGFACE_TOKEN',
    re: /(?<![\w])(?:hf_|api_org_)[A-Za-z]{34}(?![\w])/g,
    anchor: '_',
    confidence: 0.9,
    validate: (s) =>
      /[a-z]/.test(s.slice(3)) && /[A-Z]/.test(s.slice(3)) && randomBody(s.startsWith('hf_') ? 3 : 8, 3.5)(s),
  },
  {
    type: 'DISCORD_TOKEN',
    re: /(?<![\w-])[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![\w-])/g,
    confidence: 0.9,
    validate: (s) => mixedAlnum(s),
  },
  {
    type: 'TELEGRAM_BOT_TOKEN',
    re: /(?<![A-Za-z0-9])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g,
    anchor: ':AA',
    confidence: 0.95,
  },
  { type: 'PYPI_TOKEN', re: /(?<![\w])pypi-AgE[A-Za-z0-9_-]{120,1024}/g, anchor: 'pypi-', confidence: 0.97 },
  {
    type: 'MAILCHIMP_API_KEY',
    re: /(?<![0-9a-fA-F])[0-9a-f]{32}-us\d{1,2}(?![\w])/g,
    anchor: '-us',
    confidence: 0.9,
  },
  {
    type: 'SQUARE_TOKEN',
    re: /(?<![\w-])(?:sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}|EAAA[A-Za-z0-9_-]{60})(?![\w-])/g,
    confidence: 0.9,
    validate: randomBody(7, 3),
  },
  {
    type: 'SHOPIFY_TOKEN',
    re: /(?<![\w])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![\w])/g,
    anchor: 'shp',
    confidence: 0.95,
  },
  {
    type: 'DATABRICKS_TOKEN',
    re: /(?<![\w])dapi[a-f0-9]{32}(?:-\d)?(?![\w])/g,
    anchor: 'dapi',
    confidence: 0.9,
    validate: randomBody(4, 3.3),
  },
  {
    type: 'VAULT_TOKEN',
    re: /(?<![\w.])(?:hvs\.[A-Za-z0-9_-]{90,300}|hvb\.[A-Za-z0-9_-]{138,400}|s\.[A-Za-z0-9]{24})(?![\w.])/g,
    confidence: 0.85,
    validate: (s) => mixedAlnum(s) && !isFiller(s.slice(4)),
  },
  {
    type: 'TERRAFORM_TOKEN',
    re: /(?<![\w])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![\w])/g,
    anchor: 'atlasv1',
    confidence: 0.95,
    validate: randomBody(0, 3),
  },
  {
    type: 'GRAFANA_TOKEN',
    re: /(?<![\w])(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![\w+/=])/g,
    anchor: 'gl',
    confidence: 0.9,
    validate: randomBody(4, 3.3),
  },
  {
    type: 'HEROKU_API_KEY',
    re: /(?<![\w])HRKU-[A-Za-z0-9_-]{58,60}(?![\w-])/g,
    anchor: 'HRKU-',
    confidence: 0.95,
  },
  {
    type: 'SENTRY_TOKEN',
    re: /(?<![\w])sntry[su]_[A-Za-z0-9+/=_-]{40,400}/g,
    anchor: 'sntry',
    confidence: 0.95,
  },
  {
    type: 'ONEPASSWORD_TOKEN',
    re: /(?<![\w])ops_eyJ[A-Za-z0-9+/=_-]{250,4096}/g,
    anchor: 'ops_eyJ',
    confidence: 0.95,
    validate: randomBody(7, 3.5),
  },
  {
    type: 'ONEPASSWORD_SECRET_KEY',
    re: /(?<![\w-])A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![\w-])/g,
    anchor: 'A3-',
    confidence: 0.95,
    validate: (s) => !/X{5}/.test(s.slice(3)),
  },
  {
    type: 'FLYIO_TOKEN',
    re: /(?<![\w-])(?:fo1_[\w-]{43}|fm\d[a-z]?_[A-Za-z0-9+/]{100,4096}={0,3})(?![\w-])/g,
    anchor: '_',
    confidence: 0.9,
    validate: randomBody(4, 3.5),
  },
  {
    type: 'FACEBOOK_TOKEN',
    re: /(?<![\w])EAA[A-Za-z0-9]{100,1024}(?![\w])/g,
    anchor: 'EAA',
    confidence: 0.9,
    validate: randomBody(3, 3.5),
  },
  {
    type: 'FACEBOOK_TOKEN',
    re: /\bfacebook\b[^\n]{0,40}?(?<![\w])(\d{15,16}\|[A-Za-z0-9_-]{27})(?![\w-])/gi,
    anchor: '|',
    group: 1,
    confidence: 0.9,
  },
  {
    type: 'NOTION_TOKEN',
    re: /(?<![\w])ntn_[A-Za-z0-9]{46}(?![\w])/g,
    anchor: 'ntn_',
    confidence: 0.95,
    validate: randomBody(4, 3.5),
  },
  {
    type: 'SOURCEGRAPH_TOKEN',
    re: /(?<![\w])sgp_(?:local_|[a-fA-F0-9]{16}_)?[a-fA-F0-9]{40}(?![\w])/g,
    anchor: 'sgp_',
    confidence: 0.95,
    validate: randomBody(4, 3.2),
  },
  {
    type: 'BUNDLER_CREDENTIALS',
    re: /\bBUNDLE_[A-Z0-9_]{1,100}__[A-Z]{2,10}\s?[=:]\s?["']?([^\s"';&:]{3,256}:[^\s"';&]{3,256})/g,
    anchor: 'BUNDLE_',
    group: 1,
    confidence: 0.9,
  },
  {
    type: 'ATLASSIAN_API_TOKEN',
    re: /(?<![\w-])ATATT3[A-Za-z0-9_=-]{186}(?![\w-])/g,
    anchor: 'ATATT3',
    confidence: 0.95,
  },
];
