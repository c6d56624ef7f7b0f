/**
 * Postal addresses: US/UK-style street lines ("221B Baker Street, Apt 4", "1600 Pennsylvania Ave NW,
 * Washington, DC 20500"), post-office and military boxes, and ZIP/postal codes next to their label.
 * Street names are free text, so this recognizer keys on the house number + street-type word.
 */
import { matchesAt, probeOf } from '../../text-index.js';
import { push, type Recognizer } from './context.js';

const STREET_TYPES =
  'Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|' +
  'Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Alley|Plaza|Crescent|Cres|Close|Gardens|Gdns|Mews|Row|Walk|Loop|' +
  'Path|Pike|Expressway|Freeway|Route|Rte|Causeway|Heights|Hollow|Junction|Ridge|Vale|View|Villas?|Grove|Hill|Park';
const WORD = "[A-Z][A-Za-z'.-]{0,24}";
const UNIT = String.raw`(?:,?\s(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room|Bldg|Building|#)\.?\s?#?\s?[A-Za-z0-9-]{1,6})`;
const CITY_STATE_ZIP = String.raw`(?:,?\s${WORD}(?:\s${WORD}){0,2},?\s[A-Z]{2}\s\d{5}(?:-\d{4})?)`;

const STREET = new RegExp(
  String.raw`(?<![\w-])\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s(?:[NSEW]\.?\s|(?:North|South|East|West)\s)?(?:${WORD}\s){0,4}(?:${STREET_TYPES})\.?(?![\w])(?:\s(?:NE|NW|SE|SW|N|S|E|W)\b)?${UNIT}?${CITY_STATE_ZIP}?`,
  'g',
);
const BOX =
  /\b(?:P\.?\s?O\.?\s?Box|Post Office Box|(?:PSC|Unit|CMR)\s\d{1,5},?\s?Box)\s?\d{1,6}(?:,?\s(?:APO|FPO|DPO)\s(?:AA|AE|AP)\s\d{5})?/gi;
const MILITARY = /\b(?:APO|FPO|DPO)\s(?:AA|AE|AP)\s\d{5}\b/g;
const ZIP =
  /\b(?:zip(?: ?code)?|postal ?code|post ?code)\W{0,3}([A-Z0-9]{2,5}(?:[ -][A-Z0-9]{3,4})?)(?![\w])/gi;

/** Every street line has its street type right after whitespace (cheap to look for on its own). */
const STREET_TYPE = new RegExp(String.raw`\s(?:${STREET_TYPES})\b`);
const BOX_PROBE = probeOf(BOX);
const MILITARY_PROBE = probeOf(MILITARY);
const ZIP_PROBE = probeOf(ZIP);

const STREET_AT = new RegExp(STREET.source, 'y');
const isWordOrDash = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;

/** Street lines start at a number not glued to a word or '-': only those positions are tried. */
function streetStarts(text: string, numberStarts: readonly number[]): number[] {
  return numberStarts.filter(
    (p) => text.charCodeAt(p) !== 40 && (p === 0 || !isWordOrDash(text.charCodeAt(p - 1))),
  );
}

function* globalMatches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) yield m;
}

export const recognizeAddress: Recognizer = (input, out) => {
  const text = input.text;
  const starts = streetStarts(text, input.index.grams.numberStarts);
  for (const re of [STREET, BOX, MILITARY]) {
    // Skip a pattern when the words every match of it contains are absent.
    const possible =
      re === STREET
        ? starts.length > 0 && STREET_TYPE.test(text)
        : re === BOX
          ? BOX_PROBE(input.index)
          : MILITARY_PROBE(input.index);
    if (!possible) continue;
    const found = re === STREET ? matchesAt(STREET_AT, text, starts) : globalMatches(re, text);
    for (const m of found) {
      const full = m[0].length > 40 || /\d{5}/.test(m[0].slice(-10));
      push(out, 'STREET_ADDRESS', m.index, m.index + m[0].length, full ? 0.85 : 0.7, [
        re === STREET ? 'street-pattern' : 'box-pattern',
      ]);
    }
  }
  if (!ZIP_PROBE(input.index)) return;
  ZIP.lastIndex = 0;
  for (let m = ZIP.exec(text); m; m = ZIP.exec(text)) {
    if (!/\d/.test(m[1]!)) continue;
    const start = m.index + m[0].length - m[1]!.length;
    push(out, 'ZIP_CODE', start, start + m[1]!.length, 0.8, ['context:zip']);
  }
};
