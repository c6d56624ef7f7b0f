/**
 * A directory witness: every signed checkpoint is written to `<dir>/<size>.checkpoint`, and a
 * file, once written, is never replaced. Each file is written under a temporary name, fsynced and
 * then hard-linked into place, which fails if the name exists: no partial files, no overwrites.
 * Submitting the same note again is a no-op; a different note for the same size is a conflict
 * (two different trees of the same size: the ledger was rewritten) and is refused.
 */
import { link, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { peekCheckpoint } from '../../core/audit/checkpoint.js';
import { GatewayError } from '../../core/errors.js';
import type { CheckpointWitness } from '../../ports/audit-store.js';

const FILE = /^(0|[1-9][0-9]*)\.checkpoint$/;

export class DirectoryWitness implements CheckpointWitness {
  readonly name: string;

  constructor(private readonly dir: string) {
    this.name = `dir:${dir}`;
  }

  async submit(note: string): Promise<void> {
    const cp = peekCheckpoint(note);
    if (!cp.ok) throw new GatewayError('audit_witness_unavailable', `not a checkpoint note: ${cp.error}`);
    const target = join(this.dir, `${cp.value.size}.checkpoint`);
    const temp = join(this.dir, `.${cp.value.size}.checkpoint.${process.pid}.${Date.now()}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(temp, 'wx', 0o644);
      try {
        await fh.writeFile(note, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(temp, target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const existing = await readFile(target, 'utf8');
        if (existing !== note) {
          throw new GatewayError(
            'audit_witness_unavailable',
            `${target} already holds a different checkpoint for size ${cp.value.size}: the ledger may have been rewritten`,
          );
        }
      }
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      throw new GatewayError('audit_witness_unavailable', `cannot write ${target}`, { cause: e });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** Every `<size>.checkpoint` file, ascending by size. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new GatewayError('audit_witness_unavailable', `cannot read ${this.dir}`, { cause: e });
    }
    const sizes = names.filter((n) => FILE.test(n)).map((n) => Number(n.slice(0, -'.checkpoint'.length)));
    sizes.sort((a, b) => a - b);
    return Promise.all(sizes.map((s) => readFile(join(this.dir, `${s}.checkpoint`), 'utf8')));
  }
}
