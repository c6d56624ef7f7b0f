/**
 * Guardrails configuration: the zod schema (source of truth, embeddable in the gateway config)
 * and the resolved shape the engine uses. Every field has a default, so `{}` is a working config.
 */
import { z } from 'zod';
import { PII_ENTITIES } from './scanners/pii/index.js';

export const ACTIONS = ['BLOCK', 'ANONYMIZE', 'NONE'] as const;
export const ENCODINGS = [
  'base64',
  'base32',
  'hex',
  'percent',
  'html',
  'unicode_escape',
  'rot13',
  'morse',
] as const;

const action = z.enum(ACTIONS);
const detectAction = z.enum(['BLOCK', 'NONE']);

/** One action for both directions, or one per direction; normalised to { input, output }. */
const directional = <T extends z.ZodType<'BLOCK' | 'ANONYMIZE' | 'NONE'>>(a: T) =>
  z
    .union([a, z.object({ input: a, output: a }).strict()])
    .transform(
      (v) =>
        (typeof v === 'string' ? { input: v, output: v } : v) as { input: z.infer<T>; output: z.infer<T> },
    );

const perDirection = <T extends z.ZodType<'BLOCK' | 'ANONYMIZE' | 'NONE'>>(
  a: T,
  input: z.infer<T>,
  output: z.infer<T>,
) => directional(a).prefault({ input, output } as never);

const anonymize = z
  .object({
    /** mask: ****; tag: <EMAIL_1>; hash: <EMAIL:3f9a...> (HMAC); tokenize: reversible token (vault). */
    mode: z.enum(['mask', 'tag', 'hash', 'tokenize']).default('tag'),
    maskChar: z.string().length(1).default('*'),
    /** Characters kept visible at the end when masking (e.g. 4 for cards). */
    keepLast: z.number().int().min(0).max(8).default(0),
  })
  .strict();

/** Entities on by default: every recognizer except generic dates (noisy outside healthcare). */
export const DEFAULT_PII_ENTITIES = PII_ENTITIES.filter((e) => e !== 'DATE');

const piiEntity = z.enum(PII_ENTITIES as [string, ...string[]]);

export const guardrailsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    normalise: z
      .object({
        nfkc: z.boolean().default(true),
        confusables: z.boolean().default(true),
        stripInvisible: z.boolean().default(true),
        foldDiacritics: z.boolean().default(true),
        decode: z
          .object({
            encodings: z.array(z.enum(ENCODINGS)).default([...ENCODINGS]),
            maxDepth: z.number().int().min(0).max(8).default(3),
            /** Decoded characters allowed per part (beyond this, decoding stops). */
            maxDecodedChars: z.number().int().min(0).default(1_000_000),
            /** fail: a part whose decoding hit a limit fails coverage (deny); allow: scan what was decoded. */
            onLimit: z.enum(['fail', 'allow']).default('fail'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /** Parts longer than this are not scanned and fail coverage. */
        maxPartChars: z.number().int().positive().default(2_000_000),
        /** Wall-clock budget per scanner per part, in ms (needs an injected clock). */
        scannerBudgetMs: z.number().positive().default(250),
      })
      .strict()
      .prefault({}),
    pii: z
      .object({
        enabled: z.boolean().default(true),
        entities: z.array(piiEntity).default(DEFAULT_PII_ENTITIES),
        minConfidence: z.number().min(0).max(1).default(0.5),
        /** Require checksums (Luhn, mod 97, ...) where an identifier has one. */
        checksums: z.boolean().default(true),
        /** Regions tried for phone numbers written without a country code (ISO 3166 alpha-2). */
        phoneRegions: z.array(z.string().regex(/^[A-Z]{2}$/)).default(['US', 'GB']),
        action: perDirection(action, 'NONE', 'ANONYMIZE'),
        anonymize: anonymize.prefault({}),
        /** Per-entity overrides, e.g. { US_SSN: { action: 'BLOCK' }, CREDIT_CARD: { anonymize: { mode: 'mask', keepLast: 4 } } }. */
        entityOverrides: z
          .partialRecord(
            piiEntity,
            z.object({ action: directional(action).optional(), anonymize: anonymize.optional() }).strict(),
          )
          .default({}),
      })
      .strict()
      .prefault({}),
    secrets: z
      .object({
        enabled: z.boolean().default(true),
        minConfidence: z.number().min(0).max(1).default(0.5),
        action: perDirection(action, 'BLOCK', 'ANONYMIZE'),
        anonymize: anonymize.prefault({ mode: 'mask' }),
      })
      .strict()
      .prefault({}),
    injection: z
      .object({
        enabled: z.boolean().default(true),
        /** HIGH catches more (lower threshold), LOW only strong evidence. */
        strength: z.enum(['LOW', 'MEDIUM', 'HIGH']).default('MEDIUM'),
        action: perDirection(detectAction, 'BLOCK', 'BLOCK'),
      })
      .strict()
      .prefault({}),
    topics: z
      .array(
        z
          .object({
            name: z.string().min(1).max(64),
            definition: z.string().max(2000).default(''),
            examples: z.array(z.string().max(1000)).max(100).default([]),
            threshold: z.number().min(0).max(1).default(0.5),
            action: perDirection(detectAction, 'BLOCK', 'BLOCK'),
          })
          .strict(),
      )
      .default([]),
    words: z
      .array(
        z
          .object({
            name: z.string().min(1).max(64),
            words: z.array(z.string().min(1).max(200)).min(1).max(100_000),
            fuzzy: z.boolean().default(true),
            action: perDirection(action, 'BLOCK', 'BLOCK'),
            anonymize: anonymize.prefault({ mode: 'mask' }),
          })
          .strict(),
      )
      .default([]),
    custom: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
            /** Runs on a linear-time engine: no backreferences or lookaround (see docs/guardrails.md). */
            pattern: z.string().min(1).max(4000),
            flags: z
              .string()
              .regex(/^[imsu]*$/)
              .default(''),
            action: perDirection(action, 'BLOCK', 'BLOCK'),
            anonymize: anonymize.prefault({ mode: 'tag' }),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** What a user writes (all optional). */
export type GuardrailsConfigInput = z.input<typeof guardrailsConfigSchema>;
/** What the engine runs with (defaults applied). */
export type GuardrailsConfig = z.output<typeof guardrailsConfigSchema>;
export type AnonymizeConfig = z.output<typeof anonymize>;
export type DirectionalAction<A extends string = 'BLOCK' | 'ANONYMIZE' | 'NONE'> = { input: A; output: A };

/** Strength -> injection score threshold (calibrated in docs/guardrails-eval.md). */
export const INJECTION_THRESHOLDS = { LOW: 0.8, MEDIUM: 0.55, HIGH: 0.45 } as const;
