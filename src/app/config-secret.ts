import { z } from 'zod';

/** A secret comes from an environment variable or a file (0600 recommended), never inline. */
export const secretRefSchema = z.union([
  z.strictObject({ env: z.string().min(1).describe('Environment variable holding the secret') }),
  z.strictObject({ file: z.string().min(1).describe('File holding the secret; trailing newline ignored') }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;
