/**
 * Merkle hashes in the SQLite ledger, stored in pages: one row of merkle_nodes holds the hashes
 * completed at up to PAGE_SIZES consecutive tree sizes [first_size, last_size], concatenated in
 * size order. For tree size n the hashes are the leaf n-1 then one per trailing zero bit of n
 * (32 bytes each), so the offset of size n inside its page is computable:
 *
 *   hashes stored for sizes a..b-1 = (b - a) + T(b - 1) - T(a - 1),  T(m) = m - popcount(m)
 *
 * (T(m) is the sum of trailing zero bits of 1..m, Legendre's formula). A group commit writes one
 * row per PAGE_SIZES events instead of one per event; a page is never extended afterwards (the
 * next batch starts a new page), so rows stay append-only.
 */
import type Database from 'better-sqlite3';
import type { LedgerNodeRow } from '../../../ports/audit-store.js';
import type { BackendEventRow } from '../audit-ledger/backend.js';

export const PAGE_SIZES = 64;
const H = 32;
const CACHED_PAGES = 256;

function popcount(m: number): number {
  let c = 0;
  for (; m > 0; m = Math.floor(m / 2)) c += m % 2;
  return c;
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

/** Groups a committed batch (consecutive leaves) into pages. */
export function packPages(rows: readonly BackendEventRow[]): NodePage[] {
  const pages: NodePage[] = [];
  for (let i = 0; i < rows.length; i += PAGE_SIZES) {
    const slice = rows.slice(i, i + PAGE_SIZES);
    pages.push({
      first: slice[0]!.index + 1,
      last: slice[slice.length - 1]!.index + 1,
      hashes: Buffer.from(slice.map((r) => r.nodesHex).join(''), 'hex'),
    });
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
    };
  }

  insert(pages: readonly NodePage[]): void {
    for (const p of pages) this.st.insert.run(p.first, p.last, p.hashes);
  }

  maxSize(): number {
    return this.st.maxSize.get() as number;
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
        const count = hashesBetween(size, size + 1);
        if (size > from && size <= to) out.push({ size, hashes: hex.slice(at, at + count * 2 * H) });
        at += count * 2 * H;
      }
    }
    return out;
  }
}
