/**
 * Unicode normalisation of a view: NFKC, removal of invisible characters (zero-width, bidi
 * controls, tag characters, variation selectors), folding of diacritics on Latin/Greek/Cyrillic
 * letters and of confusable letters to their Latin look-alike. One pass, linear in the input; the
 * offset map keeps every character traceable to the original text. Text hidden in Unicode tag
 * characters (U+E0020..E007E, "ASCII smuggling") is returned as a separate view so it is scanned
 * rather than silently dropped.
 */
import { foldConfusable } from './confusables.js';
import { ViewBuilder, type TextView } from './text-view.js';

export interface NormaliseOptions {
  nfkc: boolean;
  confusables: boolean;
  stripInvisible: boolean;
  foldDiacritics: boolean;
}

export interface NormaliseStats {
  /** Zero-width, bidi-control, tag and other format characters removed. */
  invisible: number;
  bidi: number;
  tags: number;
  /** Confusable letters folded that sat next to an ASCII letter (mixed-script words). */
  mixedScript: number;
  confusables: number;
}

export interface Normalised {
  view: TextView;
  hidden: TextView | undefined;
  stats: NormaliseStats;
}

const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex -- the ASCII range itself
const MARK = /^\p{M}$/u;
const LGC_LETTER = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]$/u;

function isBidiControl(cp: number): boolean {
  return (
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x061c
  );
}

/** Characters that render as nothing and only serve to split or disguise words. */
export function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0x1d173 && cp <= 0x1d17a) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

const isAsciiLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Bounded memos of single-code-point results per option set (non-Latin text repeats characters). */
const memos = new Map<number, Map<number, string>>();

function memoFor(opts: NormaliseOptions): Map<number, string> {
  const key = (opts.nfkc ? 1 : 0) | (opts.confusables ? 2 : 0) | (opts.foldDiacritics ? 4 : 0);
  let m = memos.get(key);
  if (!m) memos.set(key, (m = new Map<number, string>()));
  return m;
}

function foldCluster(cluster: string, opts: NormaliseOptions): { out: string; folded: boolean } {
  let out = opts.nfkc ? cluster.normalize('NFKC') : cluster;
  if (opts.foldDiacritics) {
    const d = out.normalize('NFD');
    if (d.length > 1 && LGC_LETTER.test(String.fromCodePoint(d.codePointAt(0)!))) {
      let stripped = '';
      for (const ch of d) if (!MARK.test(ch)) stripped += ch;
      out = stripped;
    }
  }
  if (!opts.confusables) return { out, folded: false };
  let folded = false;
  let res = '';
  for (const ch of out) {
    const f = foldConfusable(ch.codePointAt(0)!);
    if (f !== undefined) folded = true;
    res += f ?? ch;
  }
  return { out: res, folded };
}

export function normaliseView(view: TextView, opts: NormaliseOptions): Normalised {
  const stats: NormaliseStats = { invisible: 0, bidi: 0, tags: 0, mixedScript: 0, confusables: 0 };
  const text = view.text;
  if (!NON_ASCII.test(text)) return { view, hidden: undefined, stats };

  const memo = memoFor(opts);
  const b = new ViewBuilder(view.map, text.length);
  let hiddenBuilder: ViewBuilder | undefined;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) < 0x80) j++;
      b.copy(text, i, j);
      i = j;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    if (opts.stripInvisible && isInvisible(cp)) {
      stats.invisible++;
      if (isBidiControl(cp)) stats.bidi++;
      if (cp >= 0xe0020 && cp <= 0xe007e) {
        stats.tags++;
        hiddenBuilder ??= new ViewBuilder(view.map, 64);
        hiddenBuilder.push(String.fromCharCode(cp - 0xe0000), i, i + len);
      }
      i += len;
      continue;
    }
    // A combining mark with no cluster of its own sits on an ASCII letter: a diacritic (or Zalgo).
    if (opts.foldDiacritics && cp >= 0x300 && MARK.test(String.fromCodePoint(cp))) {
      b.extendLast(i + len);
      i += len;
      continue;
    }
    // A cluster: this code point and the combining marks after it (bounded against Zalgo floods).
    let j = i + len;
    while (j < n && j - i < 32) {
      const m = text.codePointAt(j)!;
      if (m < 0x300 || !MARK.test(String.fromCodePoint(m))) break;
      j += m > 0xffff ? 2 : 1;
    }
    let out: string;
    let folded: boolean;
    if (j === i + len) {
      const cached = memo.get(cp);
      if (cached !== undefined) {
        out = cached.slice(1);
        folded = cached.charCodeAt(0) === 0x31;
      } else {
        ({ out, folded } = foldCluster(text.slice(i, j), opts));
        if (memo.size > 8192) memo.clear();
        memo.set(cp, (folded ? '1' : '0') + out);
      }
    } else {
      ({ out, folded } = foldCluster(text.slice(i, j), opts));
    }
    if (folded && /^[A-Za-z0-9]+$/.test(out)) {
      stats.confusables++;
      if ((i > 0 && isAsciiLetter(text.charCodeAt(i - 1))) || (j < n && isAsciiLetter(text.charCodeAt(j)))) {
        stats.mixedScript++;
      }
    }
    b.push(out, i, j);
    i = j;
  }
  const out = b.finish(view.via, view.depth);
  const hidden = hiddenBuilder?.finish([...view.via, 'unicode_tags'], view.depth + 1);
  return { view: out, hidden, stats };
}
