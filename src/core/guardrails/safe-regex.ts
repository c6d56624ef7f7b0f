/**
 * User-supplied patterns run on a linear-time engine: the pattern is compiled to a Thompson NFA and
 * simulated Pike-VM style, so matching costs O(text length x program size) whatever the pattern
 * (no catastrophic backtracking is possible). Constructs a finite automaton cannot express are
 * rejected at load: backreferences and lookaround. Counted repetition is expanded, with the
 * compiled program capped in size.
 *
 * Supported: literals and escapes (\d \D \w \W \s \S \b \B \t \n \r \xHH \uHHHH), classes [...],
 * ., ^, $, groups ( ), (?: ), (?<name> ), alternation, * + ? {n} {n,} {n,m} (greedy and lazy),
 * flags i, m, s (u and g are accepted and ignored).
 */

import { Parser, PatternError, isWord, type Node, type Pred } from './safe-regex-parse.js';

export { PatternError } from './safe-regex-parse.js';

const MAX_PROGRAM = 20_000;

type Inst =
  | { op: 'char'; pred: Pred }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: 'bol' | 'eol' | 'wordb' | 'nwordb' }
  | { op: 'match' };

function emit(node: Node, prog: Inst[]): void {
  if (prog.length > MAX_PROGRAM)
    throw new PatternError(`pattern too large (over ${MAX_PROGRAM} instructions)`, 0);
  switch (node.t) {
    case 'char':
      prog.push({ op: 'char', pred: node.pred });
      return;
    case 'assert':
      prog.push({ op: 'assert', kind: node.kind });
      return;
    case 'seq':
      for (const n of node.items) emit(n, prog);
      return;
    case 'alt': {
      const jumps: Array<{ op: 'jmp'; x: number }> = [];
      node.items.forEach((item, k) => {
        if (k < node.items.length - 1) {
          const split = { op: 'split' as const, x: prog.length + 1, y: -1 };
          prog.push(split);
          emit(item, prog);
          const j = { op: 'jmp' as const, x: -1 };
          prog.push(j);
          jumps.push(j);
          split.y = prog.length;
        } else emit(item, prog);
      });
      for (const j of jumps) j.x = prog.length;
      return;
    }
    case 'rep': {
      for (let k = 0; k < node.min; k++) emit(node.node, prog);
      if (node.max === Infinity) {
        const split = { op: 'split' as const, x: -1, y: -1 };
        const at = prog.length;
        prog.push(split);
        emit(node.node, prog);
        prog.push({ op: 'jmp', x: at });
        const body = at + 1;
        const out = prog.length;
        [split.x, split.y] = node.lazy ? [out, body] : [body, out];
      } else {
        const splits: Array<{ op: 'split'; x: number; y: number }> = [];
        for (let k = node.min; k < node.max; k++) {
          const split = { op: 'split' as const, x: -1, y: -1 };
          splits.push(split);
          prog.push(split);
          const body = prog.length;
          emit(node.node, prog);
          if (node.lazy) split.y = body;
          else split.x = body;
        }
        for (const s of splits) {
          if (node.lazy) s.x = prog.length;
          else s.y = prog.length;
        }
      }
      return;
    }
  }
}

export interface SafePattern {
  readonly source: string;
  /** All non-overlapping leftmost-first matches; `tick` is called periodically (may throw). */
  findAll(text: string, tick?: () => void): Array<{ start: number; end: number }>;
}

export function compileSafePattern(source: string, flags = ''): SafePattern {
  for (const f of flags) if (!'imsgu'.includes(f)) throw new PatternError(`unsupported flag '${f}'`, 0);
  const f = { i: flags.includes('i'), s: flags.includes('s'), m: flags.includes('m') };
  const ast = new Parser(source, f).parse();
  const prog: Inst[] = [];
  emit(ast, prog);
  prog.push({ op: 'match' });
  return { source, findAll: (text, tick) => findAll(prog, f.m, text, tick) };
}

function assertHolds(
  kind: 'bol' | 'eol' | 'wordb' | 'nwordb',
  text: string,
  i: number,
  multiline: boolean,
): boolean {
  const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
  const next = i < text.length ? text.charCodeAt(i) : -1;
  switch (kind) {
    case 'bol':
      return i === 0 || (multiline && (prev === 10 || prev === 13));
    case 'eol':
      return i === text.length || (multiline && (next === 10 || next === 13));
    case 'wordb':
      return (prev >= 0 && isWord(prev)) !== (next >= 0 && isWord(next));
    case 'nwordb':
      return (prev >= 0 && isWord(prev)) === (next >= 0 && isWord(next));
  }
}

/** Pike VM: thread lists ordered by priority, one start position per thread (leftmost-first). */
function findAll(
  prog: Inst[],
  multiline: boolean,
  text: string,
  tick?: () => void,
): Array<{ start: number; end: number }> {
  const n = prog.length;
  const matches: Array<{ start: number; end: number }> = [];
  let clist = { pcs: new Int32Array(n), starts: new Int32Array(n), len: 0 };
  let nlist = { pcs: new Int32Array(n), starts: new Int32Array(n), len: 0 };
  const mark = new Int32Array(n).fill(-1);
  let gen = 0;
  const stack: number[] = [];

  // Adds pc (following jumps, splits and assertions) at text position i, in priority order.
  const add = (list: typeof clist, pc0: number, start: number, i: number): void => {
    stack.push(pc0);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      if (inst.op === 'jmp') stack.push(inst.x);
      else if (inst.op === 'split') stack.push(inst.y, inst.x);
      else if (inst.op === 'assert') {
        if (assertHolds(inst.kind, text, i, multiline)) stack.push(pc + 1);
      } else {
        list.pcs[list.len] = pc;
        list.starts[list.len] = start;
        list.len++;
      }
    }
  };

  // Each search is linear; a pattern whose searches keep re-reading the same text (leftmost-first
  // restarts) is stopped by a work budget linear in text x program, and fails the scan.
  const budget = 16 * (text.length + 1) * (n + 1) + 100_000;
  let work = 0;
  let pos = 0;
  let steps = 0;
  while (pos <= text.length) {
    let matched: { start: number; end: number } | undefined;
    clist.len = 0;
    gen++;
    add(clist, 0, pos, pos);
    let i = pos;
    for (;;) {
      nlist.len = 0;
      gen++;
      const c = i < text.length ? text.charCodeAt(i) : -1;
      for (let k = 0; k < clist.len; k++) {
        const pc = clist.pcs[k]!;
        const inst = prog[pc]!;
        if (inst.op === 'match') {
          matched = { start: clist.starts[k]!, end: i };
          break; // lower-priority threads are cut
        }
        if (inst.op === 'char' && c >= 0 && inst.pred(c)) add(nlist, pc + 1, clist.starts[k]!, i + 1);
      }
      if ((++steps & 0xfff) === 0) tick?.();
      // No match yet: a new thread starting at the next position joins with the lowest priority.
      if (!matched && i + 1 <= text.length) {
        add(nlist, 0, i + 1, i + 1);
      }
      [clist, nlist] = [nlist, clist];
      i++;
      work += clist.len + 1;
      if (work > budget) throw new PatternError('pattern exceeded its matching budget on this text', 0);
      if ((clist.len === 0 && matched) || i > text.length) break;
    }
    if (!matched) break;
    matches.push(matched);
    pos = matched.end > matched.start ? matched.end : matched.end + 1;
  }
  return matches;
}
