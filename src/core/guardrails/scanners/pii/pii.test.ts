import { describe, expect, it } from 'vitest';
import { PII_ENTITIES, resolveOverlaps, scanPii } from './index.js';

const ALL = new Set(PII_ENTITIES);
const scan = (text: string, minConfidence = 0.5, checksums = true) =>
  scanPii(text, { entities: ALL, minConfidence, checksums, phoneRegions: ['US', 'GB'] }).map((f) => ({
    type: f.type,
    value: text.slice(f.start, f.end),
    evidence: f.evidence,
  }));
const types = (text: string, minConfidence?: number) =>
  scan(text, minConfidence).map((f) => `${f.type}:${f.value}`);

describe('PII recognizers: true positives', () => {
  it('finds contact data', () => {
    expect(types('write to jane.doe+tag@example.co.uk or call (415) 555-0132')).toEqual([
      'EMAIL:jane.doe+tag@example.co.uk',
      'PHONE:(415) 555-0132',
    ]);
    expect(types('Desk: +44 20 7946 0958 ext 204')).toEqual(['PHONE:+44 20 7946 0958 ext 204']);
    expect(types('Fax: 345-899-3560x4587')).toEqual(['PHONE:345-899-3560x4587']);
  });

  it('finds financial identifiers with checksum evidence', () => {
    const found = scan(
      'card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, routing number 121000358',
    );
    expect(found.map((f) => f.type)).toEqual(['CREDIT_CARD', 'IBAN', 'US_BANK_ROUTING']);
    expect(found[0]!.evidence).toContain('luhn');
    expect(found[1]!.evidence).toContain('mod97');
    expect(found[2]!.evidence).toContain('context');
  });

  it('finds national and health identifiers', () => {
    expect(types('SSN 078-05-1123, ITIN 911-70-1234, NINO AB 12 34 56 C, NHS number 943 476 5919')).toEqual([
      'US_SSN:078-05-1123',
      'US_ITIN:911-70-1234',
      'UK_NINO:AB 12 34 56 C',
      'UK_NHS:943 476 5919',
    ]);
    expect(
      types('Patient MRN: 00482913, member ID: XJH4421983, passport no. X12345678, Medicare 1EG4-TE5-MK73'),
    ).toEqual([
      'MEDICAL_RECORD_NUMBER:00482913',
      'HEALTH_PLAN_ID:XJH4421983',
      'PASSPORT:X12345678',
      'US_MBI:1EG4-TE5-MK73',
    ]);
    expect(types('DOB: 03/14/1985; admitted on March 3, 2021')).toEqual([
      'DATE_OF_BIRTH:03/14/1985',
      'DATE:March 3, 2021',
    ]);
  });

  it('finds network and device identifiers and wallets', () => {
    expect(types('hosts 10.0.0.1, 2001:db8::8a2e:370:7334 and mac 00:1A:2B:3C:4D:5E')).toEqual([
      'IP_ADDRESS:10.0.0.1',
      'IP_ADDRESS:2001:db8::8a2e:370:7334',
      'MAC_ADDRESS:00:1A:2B:3C:4D:5E',
    ]);
    expect(types('pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, VIN 1HGCM82633A004352')).toEqual([
      'CRYPTO_WALLET:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      'VIN:1HGCM82633A004352',
    ]);
    expect(types('see https://example.com/a?b=1.')).toEqual(['URL:https://example.com/a?b=1']);
  });

  it('finds street addresses', () => {
    expect(types('ship to 1600 Pennsylvania Ave NW, Washington, DC 20500 today')).toEqual([
      'STREET_ADDRESS:1600 Pennsylvania Ave NW, Washington, DC 20500',
    ]);
  });
});

describe('PII recognizers: false positives avoided', () => {
  it('rejects numbers that fail their checksum or structure', () => {
    expect(types('order 4111 1111 1111 1112 and ref 1748503543012')).toEqual([]);
    expect(types('SSN 666-12-3456 and 000-12-3456')).toEqual([]);
    expect(types('IBAN GB82 WEST 1234 5698 7654 33')).toEqual([]);
    expect(types('the ratio is 1:2:3:4 and the time 12:34:56')).toEqual([]);
  });

  it('does not read versions, dates or prices as identifiers', () => {
    expect(
      types('release 2.14.3 shipped on 2024-05-12 for $1,299.00').filter((t) => !t.startsWith('DATE:')),
    ).toEqual([]);
    expect(types('release 2.14.3 shipped on 2024-05-12 for $1,299.00')).toEqual(['DATE:2024-05-12']); // DATE is opt-in
    expect(types('version 1.2.3.4 is out')).toEqual([]);
  });

  it('does not read identifiers embedded in longer tokens', () => {
    expect(types('IP192.168.1.1text and user_4111111111111111_x')).toEqual([]);
  });

  it('needs a context word for context-only identifiers', () => {
    expect(types('the value X12345678 was accepted')).toEqual([]);
    expect(types('bare 121000358')).toEqual([]); // routing checksum alone is below the floor
    expect(types('bare 121000358', 0.3).map((t) => t.split(':')[0])).toContain('US_BANK_ROUTING');
  });

  it('checksum gating can be turned off (format-only, lower confidence)', () => {
    const f = scanPii('card 4111 1111 1111 1112', {
      entities: ALL,
      minConfidence: 0.5,
      checksums: false,
      phoneRegions: [],
    });
    expect(f.map((x) => x.type)).toEqual(['CREDIT_CARD']);
    expect(f[0]!.confidence).toBeLessThan(0.9);
  });
});

describe('overlap resolution', () => {
  it('keeps the more confident of overlapping findings and lets URLs contain others', () => {
    const kept = resolveOverlaps([
      { type: 'PHONE', start: 0, end: 11, confidence: 0.6, evidence: [] },
      { type: 'US_SSN', start: 0, end: 11, confidence: 0.95, evidence: [] },
      { type: 'URL', start: 20, end: 60, confidence: 0.6, evidence: [] },
      { type: 'IP_ADDRESS', start: 27, end: 38, confidence: 0.85, evidence: [] },
    ]);
    expect(kept.map((k) => k.type)).toEqual(['US_SSN', 'URL', 'IP_ADDRESS']);
  });
});
