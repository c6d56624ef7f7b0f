/**
 * Merkle hashes in the SQLite ledger, stored in pages: one row of merkle_nodes holds the hashes
 * completed at up to PAGE_SIZES consecutive tree sizes [first_size, last_size], concatenated in
 * size order. For tree size n the hashes are the leaf n-1 then one per trailing zero bit of n
 * (32 bytes each), so the offset of size n inside its page is computable:
 *
 *   hashes stored for sizes a..b-1 = (b - a) + T(b - 1) - T(a - 1),  T(m) = m - popcount(m)
 *
 * (T(m) is the sum of trailing zero bits of 1..m, Legendre's formula). A group commit writes one
 * row per PAGE_SIZES events (one row for a typical batch) instead of one per event; a page is
 * never extended afterwards (the next batch starts a new page), so rows stay append-only.
 * Readers take each row's extent from first_size and last_size, so they read pages of any size
 * (ledgers written before held up to 64 sizes per row).
 *
 * Why 256: a row of about 16 KB written once per commit costs the commit less than four rows of
 * about 4 KB (each just over SQLite's largest in-page payload, so each with its own overflow
 * page), while a proof still reads only a few pages per node.
 */
import type Database from 'better-sqlite3';
import type { LedgerNodeRow } from '../../../ports/audit-store.js';
import type { BackendEventRow } from '../audit-ledger/backend.js';

export const PAGE_SIZES = 256;
const H = 32;
const CACHED_PAGES = 128;

function popcount(m: number): number {
  let c = 0;
  for (; m > 0; m = Math.floor(m / 2)) c += m % 2;
  return c;
}

/** Number of 32-byte hashes stored for tree size n >= 1: the leaf, then one per trailing zero bit. */
export function hashesAt(n: number): number {
  if (!(n >= 1)) return 1; // a damaged page may claim size 0: count it, do not loop on it
  let count = 1;
  // Below 2^31 the bit operations are exact; above, halve by division.
  if (n < 0x80000000) {
    for (let s = n; (s & 1) === 0; s >>>= 1) count++;
    return count;
  }
  for (let s = n; s % 2 === 0; s /= 2) count++;
  return count;
}

/** Number of 32-byte hashes stored for tree sizes a..b-1 (a >= 1). */
export function hashesBetween(a: number, b: number): number {
  const t = (m: number): number => m - popcount(m);
  return b - a + t(b - 1) - t(a - 1);
}

export interface NodePage {
  first: number;
  last: number;
  hashes: Uint8Array;
}

/**
 * Groups a committed batch (consecutive leaves, `nodes[k]` the binary hashes of `rows[k]`) into
 * pages, copying each row's hashes once.
 */
export function packPages(rows: readonly BackendEventRow[], nodes: readonly string[]): NodePage[] {
  if (nodes.length !== rows.length) throw new Error(`${nodes.length} node entries for ${rows.length} rows`);
  const pages: NodePage[] = [];
  for (let i = 0; i < rows.length; i += PAGE_SIZES) {
    const end = Math.min(rows.length, i + PAGE_SIZES);
    let bytes = 0;
    for (let k = i; k < end; k++) bytes += nodes[k]!.length;
    const hashes = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (let k = i; k < end; k++) at += hashes.write(nodes[k]!, at, 'latin1');
    pages.push({ first: rows[i]!.index + 1, last: rows[end - 1]!.index + 1, hashes });
  }
  return pages;
}

type Row = unknown[];

export class NodePages {
  private readonly st;
  private readonly cache = new Map<number, NodePage>();

  constructor(db: Database.Database) {
    this.st = {
      insert: db.prepare('INSERT INTO merkle_nodes (first_size, last_size, hashes) VALUES (?, ?, ?)'),
      containing: db
        .prepare(
          'SELECT first_size, last_size, hashes FROM merkle_nodes WHERE first_size <= ? ORDER BY first_size DESC LIMIT 1',
        )
        .raw(),
      overlapping: db
        .prepare(
          `SELECT first_size, last_size, lower(hex(hashes)) FROM merkle_nodes
           WHERE first_size BETWEEN coalesce((SELECT max(first_size) FROM merkle_nodes WHERE first_size <= @lo), 1) AND @hi
           ORDER BY first_size`,
        )
        .raw(),
      maxSize: db.prepare('SELECT coalesce(max(last_size), 0) FROM merkle_nodes').pluck(),
      lastSize: db.prepare('SELECT last_size FROM merkle_nodes ORDER BY first_size DESC LIMIT 1').pluck(),
    };
  }

  insert(pages: readonly NodePage[]): void {
    for (const p of pages) this.st.insert.run(p.first, p.last, p.hashes);
  }

  /** The highest tree size any page reaches (scans every page: for verification). */
  maxSize(): number {
    return this.st.maxSize.get() as number;
  }

  /**
   * The tree size the newest page reaches: one B-tree descent. Pages are appended in size order,
   * so on an intact ledger this is maxSize(); verification compares the two through extent().
   */
  lastSize(): number {
    return (this.st.lastSize.get() as number | undefined) ?? 0;
  }

  /** Hash of perfect subtree (level, index), stored with tree size (index + 1) * 2^level. */
  node(level: number, index: number): Uint8Array | null {
    const n = (index + 1) * 2 ** level;
    const page = this.page(n);
    if (!page) return null;
    const at = (hashesBetween(page.first, n) + level) * H;
    return at + H <= page.hashes.length ? page.hashes.subarray(at, at + H) : null;
  }

  /**
   * The page holding tree size n. Pages never change once written (a new batch starts a new
   * page), so recently read pages are cached: proofs share their upper levels.
   */
  private page(n: number): NodePage | null {
    for (const p of this.cache.values()) {
      if (p.first <= n && n <= p.last) {
        this.cache.delete(p.first);
        this.cache.set(p.first, p);
        return p;
      }
    }
    const r = this.st.containing.get(n) as Row | undefined;
    if (!r || (r[1] as number) < n) return null;
    const p: NodePage = { first: r[0] as number, last: r[1] as number, hashes: r[2] as Buffer };
    this.cache.set(p.first, p);
    if (this.cache.size > CACHED_PAGES) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }

  /** Hex hashes per tree size for sizes in (from, to], as stored (a damaged page yields what it can). */
  rows(from: number, to: number): LedgerNodeRow[] {
    const out: LedgerNodeRow[] = [];
    for (const r of this.st.overlapping.all({ lo: from + 1, hi: to }) as Row[]) {
      const first = r[0] as number;
      const last = r[1] as number;
      const hex = r[2] as string;
      let at = 0;
      for (let size = first; size <= last; size++) {
        const count = hashesAt(size);
        if (size > from && size <= to) out.push({ size, hashes: hex.slice(at, at + count * 2 * H) });
        at += count * 2 * H;
      }
    }
    return out;
  }
}
