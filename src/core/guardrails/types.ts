/**
 * Shared shapes of the guardrails: what a scanner reports, what a scan returns. Findings never hold
 * the raw value they found; at most a keyed hash of it.
 */
import type { ScanCoverage } from '../../ports/guard.js';

export type { ScanCoverage };

export type Direction = 'input' | 'output';
export type Action = 'BLOCK' | 'ANONYMIZE' | 'NONE';
export type Strength = 'LOW' | 'MEDIUM' | 'HIGH';
export type AnonymizeMode = 'mask' | 'tag' | 'hash' | 'tokenize';

/** The scanner families; each is one coverage entry per part. */
export type ScannerName = 'pii' | 'secrets' | 'injection' | 'topics' | 'words' | 'custom';

/** One hit inside one scanned text, in offsets of the text the scanner was given. */
export interface RawFinding {
  /** Entity or rule type, e.g. EMAIL, US_SSN, AWS_ACCESS_KEY, or a topic/list/pattern name. */
  type: string;
  start: number;
  end: number;
  /** 0..1 */
  confidence: number;
  /** How the hit was confirmed: 'luhn', 'mod97', 'context:passport', 'prefix', 'entropy'... */
  evidence: string[];
}

/** A finding placed in the ORIGINAL text of a part. */
export interface Finding extends RawFinding {
  detector: ScannerName;
  part: string;
  /** Encodings peeled off before the hit was seen, outermost first (e.g. ['base64']). */
  via?: string[];
  /** HMAC-SHA256 of the matched original text (hex, truncated), only when a key is configured. */
  valueHash?: string;
  /** The action this finding triggered for the scan direction. */
  action: Action;
}

export interface InjectionSignal {
  name: string;
  weight: number;
  /** Span in the original text of the part where the strongest instance was seen. */
  part: string;
  start: number;
  end: number;
  via?: string[];
}

/** The facts policy sees as `findings` (JSON; no raw values). */
export interface PolicyFindings {
  pii: Array<{ type: string; part: string; start: number; end: number; confidence: number }>;
  secrets: Array<{ type: string; part: string; start: number; end: number; confidence: number }>;
  injection: {
    score: number;
    strength_threshold: number;
    detected: boolean;
    signals: Array<{ name: string; part: string; weight: number }>;
  };
  topics: Array<{ name: string; part: string; score: number }>;
  words: Array<{ list: string; part: string; start: number; end: number }>;
  custom: Array<{ name: string; part: string; start: number; end: number }>;
}

export interface PartResult {
  part: string;
  findings: Finding[];
  /** The part's text with ANONYMIZE actions applied (identical to the input when nothing applied). */
  text: string;
  changed: boolean;
}

export interface ScanResult {
  direction: Direction;
  parts: PartResult[];
  findings: PolicyFindings;
  coverage: ScanCoverage[];
  /** NONE when nothing was blocked or rewritten; INTERVENED otherwise. */
  action: 'NONE' | 'INTERVENED';
  blocked: boolean;
  blockReasons: string[];
  /** A scanner threw or ran out of time: the caller must deny (never a silent pass). */
  failed: boolean;
}

export interface ScanPart {
  part: string;
  text: string;
}
