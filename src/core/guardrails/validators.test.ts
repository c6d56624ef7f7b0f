import { describe, expect, it } from 'vitest';
import {
  abaValid,
  base58CheckValid,
  bech32AddressValid,
  cardNetwork,
  cardValid,
  ibanValid,
  imeiValid,
  ipv4Valid,
  ipv6Valid,
  itinValid,
  luhnValid,
  macValid,
  mbiValid,
  nhsValid,
  ninoValid,
  npiValid,
  ssnValid,
  vinCheckDigitValid,
} from './validators.js';

describe('checksums and structure', () => {
  it('Luhn accepts valid numbers and rejects a one-digit change', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('')).toBe(false);
  });

  it('cards need an issuer range and length as well as Luhn', () => {
    expect(cardNetwork('4111111111111111')).toBe('visa');
    expect(cardNetwork('371449635398431')).toBe('amex');
    expect(cardNetwork('2223000048400011')).toBe('mastercard');
    expect(cardNetwork('3528000700000000')).toBe('jcb');
    expect(cardValid('1748503543012')).toBe(false); // Luhn-shaped but no issuer range
    expect(cardValid('4012888888881882')).toBe(false); // checksum
    expect(cardValid('4012888888881882', false)).toBe(true); // without checksum gating
    expect(cardValid('37144963539843')).toBe(false); // amex must have 15 digits
  });

  it('IBAN: country length and mod 97', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('gb82west12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(ibanValid('GB82WEST1234569876543')).toBe(false); // length for GB is 22
    expect(ibanValid('XX82WEST12345698765432')).toBe(false); // unknown country
    expect(ibanValid('DE89370400440532013000')).toBe(true);
  });

  it('US SSN area/group/serial rules, and ITIN ranges', () => {
    expect(ssnValid('078051123')).toBe(true);
    for (const bad of [
      '000123456',
      '666123456',
      '900123456',
      '123001234',
      '123450000',
      '078051120',
      '111111111',
    ]) {
      expect(ssnValid(bad)).toBe(false);
    }
    expect(itinValid('911701234')).toBe(true);
    expect(itinValid('911891234')).toBe(false);
    expect(itinValid('811701234')).toBe(false);
  });

  it('ABA routing, NHS mod 11, NINO letters, NPI and MBI structure', () => {
    expect(abaValid('121000358')).toBe(true);
    expect(abaValid('121000359')).toBe(false);
    expect(abaValid('131000358')).toBe(false); // prefix 13 is not a Federal Reserve district
    expect(nhsValid('9434765919')).toBe(true);
    expect(nhsValid('9434765918')).toBe(false);
    expect(ninoValid('AB123456C')).toBe(true);
    expect(ninoValid('BG123456A')).toBe(false);
    expect(ninoValid('DA123456A')).toBe(false);
    expect(npiValid('1234567893')).toBe(true);
    expect(npiValid('1234567890')).toBe(false);
    expect(mbiValid('1EG4TE5MK73')).toBe(true);
    expect(mbiValid('1SG4TE5MK73')).toBe(false); // S is excluded
  });

  it('VIN check digit', () => {
    expect(vinCheckDigitValid('1HGCM82633A004352')).toBe(true);
    expect(vinCheckDigitValid('1HGCM82623A004352')).toBe(false);
    expect(vinCheckDigitValid('1HGCM82633A00435I')).toBe(false); // I is not allowed
  });

  it('Bitcoin base58check and bech32/bech32m', () => {
    expect(base58CheckValid('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe(true);
    expect(base58CheckValid('3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy')).toBe(true);
    expect(base58CheckValid('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toBe(false);
    expect(bech32AddressValid('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe(true);
    expect(bech32AddressValid('bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297')).toBe(true);
    expect(bech32AddressValid('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr')).toBe(false);
  });

  it('IP, MAC and IMEI formats', () => {
    expect(ipv4Valid('192.168.0.1')).toBe(true);
    expect(ipv4Valid('256.1.1.1')).toBe(false);
    expect(ipv4Valid('1.2.3.04')).toBe(false);
    expect(ipv6Valid('2001:db8::1')).toBe(true);
    expect(ipv6Valid('::ffff:192.0.2.1')).toBe(true);
    expect(ipv6Valid('1:2:3:4')).toBe(false);
    expect(ipv6Valid('2001:db8::1::2')).toBe(false);
    expect(macValid('00:1A:2B:3C:4D:5E')).toBe(true);
    expect(macValid('00:1A:2B-3C:4D:5E')).toBe(false);
    expect(macValid('0012.3456.789A')).toBe(true);
    expect(imeiValid('490154203237518')).toBe(true);
    expect(imeiValid('490154203237519')).toBe(false);
  });
});
