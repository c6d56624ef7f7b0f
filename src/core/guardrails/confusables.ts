/**
 * Confusable folding: letters from other scripts that render like Latin letters (Unicode UTS #39
 * "intentional" confusables and the usual homoglyph-smuggling alphabets) map to their Latin
 * look-alike, so `іgnоre` (Cyrillic і, о) reads as `ignore`. Written by hand from the Unicode
 * character data; NFKC (applied before this table) already covers fullwidth, mathematical,
 * circled and superscript forms, so they are not repeated here.
 *
 * Format: "HEX:replacement" entries separated by spaces, grouped by script. Pairs of look-alikes where
 * neither is ASCII fold to one representative of the pair.
 */
const TABLE = [
  // Cyrillic capitals and small letters
  '0405:S 0406:I 0407:I 0408:J 0410:A 0412:B 0415:E 0401:E 041A:K 041C:M 041D:H 041E:O 0420:P 0421:C',
  '0422:T 0423:Y 0425:X 0474:V 04AE:Y 04C0:I 050C:G 051A:Q 051C:W 0417:3 0411:b',
  '0430:a 0435:e 0451:e 043E:o 0440:p 0441:c 0443:y 0445:x 0455:s 0456:i 0457:i 0458:j 04BB:h',
  '0501:d 051B:q 051D:w 04CF:l 0475:v 0461:w 043A:k 043F:n 0433:r 044C:b 0442:t 043C:m 0432:b',
  '04BD:e 0499:s 0491:r 0493:f 04AF:y 04B1:y 0509:d',
  // Greek capitals and small letters
  '0391:A 0392:B 0395:E 0396:Z 0397:H 0399:I 039A:K 039C:M 039D:N 039F:O 03A1:P 03A4:T 03A5:Y',
  '03A7:X 03F9:C 037F:J 03DC:F 03AA:I 03AB:Y 0386:A 0388:E 0389:H 038A:I 038C:O 038E:Y',
  '03B1:a 03B9:i 03BA:k 03BD:v 03BF:o 03C1:p 03C5:u 03C7:x 03F2:c 03F3:j 03B3:y 03B5:e 03C9:w',
  '03B7:n 03BC:u 03C4:t 03AF:i 03CC:o 03CD:u 03AC:a 03AD:e 03CA:i 03CB:u 03F1:p 03F5:e',
  // Latin letters outside ASCII that read as ASCII letters (small capitals, dotless, stroked)
  '0131:i 0237:j 0251:a 0261:g 0269:i 026A:i 01C0:l 01C3:! 0280:r 0299:b 029C:h 029F:l 0274:n',
  '028F:y 0262:g A731:s 1D00:a 1D04:c 1D05:d 1D07:e 1D0A:j 1D0B:k 1D0D:m 1D0F:o 1D18:p 1D1B:t',
  '1D1C:u 1D20:v 1D21:w 1D22:z 0142:l 0141:L 0111:d 0110:D 00F8:o 00D8:O 0127:h 0126:H 0167:t',
  '0166:T 0180:b 01B6:z 01B5:Z 0268:i 024D:r 0192:f 01A5:p 1E9D:f 0253:b 0257:d 0260:g 0266:h',
  '0272:n 0288:t 028B:v 0290:z 01BF:p 0185:b 0196:l 01A6:R',
  // Armenian
  '0555:O 0585:o 057D:u 0581:g 0570:h 0578:n 0566:q 054D:U 0544:U 0553:O 0545:3 0575:j',
  // Cherokee capitals (render like Latin capitals)
  '13A0:D 13A1:R 13A2:T 13A5:i 13A9:Y 13AA:A 13AB:J 13AC:E 13B3:W 13B7:M 13BB:H 13BD:Y 13C0:G',
  '13C2:h 13C3:Z 13CF:b 13D4:W 13DA:S 13DE:L 13DF:C 13E2:P 13E6:K 13F4:B 13D9:V 13D2:R 13B1:G',
  // Lisu
  'A4D0:B A4D1:P A4D2:d A4D3:D A4D4:T A4D6:G A4D7:K A4D9:J A4DA:C A4DC:Z A4DD:F A4DF:M A4E0:N',
  'A4E1:L A4E2:S A4E3:R A4E6:V A4E7:H A4EA:W A4EB:X A4EC:Y A4F2:I A4F3:O A4F4:U A4EE:A A4F0:E',
  // Coptic
  '2C9E:O 2C9F:o 2C8E:H 2CA2:P 2CA3:p 2CA4:C 2CA5:c 2C94:K 2C95:k 2C98:M 2C9A:N 2CA6:T 2CA8:Y',
  '2CAC:X 2CAD:x 2C80:A 2C81:a 2C82:B 2C88:E 2C89:e 2C92:I 2C93:i 2C8C:Z',
  // APL and letterlike symbols NFKC leaves alone
  '237A:a 2373:i 2374:p 2375:w 2113:l 212E:e 2129:i',
  // Latin letters outside ASCII with a Cyrillic twin: both fold to one representative
  '00C6:AE 04D4:AE 00E6:ae 04D5:ae 00D0:D 0138:k 0182:b 043D:h 025B:e 1D26:r 1D28:n 1D29:p 2C67:H 04A2:H 2C69:K 049A:K',
  '018F:\u018F 04D8:\u018F 0259:\u0259 04D9:\u0259 01DD:\u0259 019F:\u019F 04E8:\u019F 0275:\u0275 04E9:\u0275',
  '01A9:\u03A3 0245:\u039B 04E1:\u0292 0413:\u0393 041F:\u03A0 1D2B:\u043B',
  // Letters that render like a digit of their own script (Myanmar, New Tai Lue, Tai Tham, Balinese, Javanese)
  '101D:0 199E:0 19B1:1 1A45:0 1B0D:2 1B11:3 1B28:8 1B5C:0 A9C6:0',
  // Same-shape letters within other scripts (Khmer, Mongolian, Ugaritic/Old Persian, Osmanya)
  '17A3:\u17A2 1855:\u1835 103D1:\u{10382} 103D3:\u{10393} 12038:\u{1039A} 104A0:\u{10486}',
  // Dashes, minus and typographic quotes (matter for number formats and contractions)
  "2010:- 2011:- 2012:- 2013:- 2014:- 2015:- 2212:- FE58:- FE63:- 2018:' 2019:' 201A:' 201B:'",
  '201C:" 201D:" 201E:" 201F:" 2032:\' 2033:" 00B4:\' 02BC:\' 02B9:\' 02BA:"',
];

/** Zero code point of each decimal-digit block NFKC does not fold (Arabic-Indic, Devanagari...). */
const DIGIT_ZEROS = [
  0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6,
  0x0e50, 0x0ed0, 0x0f20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0,
  0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
];

const MAP: Map<number, string> = (() => {
  const m = new Map<number, string>();
  for (const line of TABLE) {
    for (const entry of line.split(' ')) {
      const colon = entry.indexOf(':');
      m.set(parseInt(entry.slice(0, colon), 16), entry.slice(colon + 1));
    }
  }
  for (const zero of DIGIT_ZEROS) for (let d = 0; d < 10; d++) m.set(zero + d, String(d));
  return m;
})();

/** The Latin look-alike of one code point, or undefined when it has none. */
export function foldConfusable(codePoint: number): string | undefined {
  return MAP.get(codePoint);
}

/** Folds a whole string (used for configured word lists, so they match folded text). */
export function foldConfusables(text: string): string {
  let out = '';
  for (const ch of text) {
    const f = MAP.get(ch.codePointAt(0)!);
    out += f ?? ch;
  }
  return out;
}

export const CONFUSABLE_COUNT = MAP.size;
