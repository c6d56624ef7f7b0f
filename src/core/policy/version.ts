/**
 * The policy set's version: a content hash of its files, so the same files always give the same
 * version whatever order they were read in, and any change to a path or a byte gives a new one.
 */
import { createHash } from 'node:crypto';
import type { PolicyFile } from './types.js';

/** "sha256:<hex>" over the files sorted by path, each as length-prefixed path and content. */
export function policySetVersion(files: readonly PolicyFile[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const h = createHash('sha256');
  for (const f of sorted) {
    for (const part of [f.path, f.content]) {
      const bytes = Buffer.from(part, 'utf8');
      h.update(`${bytes.length}:`);
      h.update(bytes);
    }
  }
  return `sha256:${h.digest('hex')}`;
}
