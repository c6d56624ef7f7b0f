/**
 * Realistic agent traffic for the guardrails bench: business prose, a customer record, a code
 * snippet, a log excerpt and a JSON fragment, with the usual sprinkling of identifiers (emails,
 * phone numbers, IPs, URLs, an IBAN, a card number) in a deterministic mix.
 */
const PARAGRAPHS = [
  "Hi team, following up on yesterday's call with the procurement group: we agreed to move the renewal to the next quarter and to revisit the SLA terms once the incident review is complete. Please send comments by Friday.",
  'Customer record: Jane Doe, jane.doe@example.com, +1 415 555 0132, 221B Baker Street, London. Account opened 2019, tier gold, last order #48213 shipped to the Denver warehouse.',
  'The deployment failed at step 4 because the health check on 10.2.14.7:8443 timed out after 30 seconds. Rolling back to release 2.14.3 fixed it; see https://status.example.com/incidents/8841 for the timeline.',
  'function total(items) {\n  return items.reduce((sum, it) => sum + it.price * it.qty, 0);\n}\nconst order = { id: "A-1042", items: [{ price: 19.99, qty: 2 }] };',
  'Please wire the refund to IBAN DE89 3704 0044 0532 0130 00 and confirm once done. The card on file ending 1111 (4111 1111 1111 1111) should not be charged again.',
  '2024-05-12T09:14:03Z INFO request_id=7f3c9a user=svc-reporting latency_ms=184 path=/v1/reports/quarterly status=200 bytes=18233',
  'Summary of the quarterly review: revenue grew 12 percent, churn dropped to 3.1 percent, and the support backlog is down to 41 tickets. The main risks are supplier lead times and the pending audit in the EU entity.',
  '{"ticket":"SUP-2231","priority":"high","assignee":"m.rossi@example.org","notes":"Customer cannot log in after password reset; MFA device changed last week."}',
  'Reminder: the office will be closed on Monday for maintenance. Badge access remains available for the server room; contact facilities at 020 7946 0958 if anything is urgent.',
  'The model answered the question about shipping times correctly but suggested the wrong returns address; we should update the knowledge base article and re-run the evaluation set tonight.',
];

/** A message of about `size` characters, built from the paragraphs starting at `seed`. */
export function message(size: number, seed = 0): string {
  let out = '';
  for (let i = seed; out.length < size; i++) out += PARAGRAPHS[i % PARAGRAPHS.length]! + '\n\n';
  return out.slice(0, size);
}

/**
 * The same message with phone numbers no other message has (deterministic from `seed`), so that
 * nothing is remembered from an earlier scan.
 */
export function freshMessage(size: number, seed: number): string {
  let x = (seed * 2654435761) >>> 0;
  const next = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  const digits = (n: number): string => Array.from({ length: n }, () => String(next(10))).join('');
  const us = `+1 ${['212', '415', '646', '718'][next(4)]} ${200 + next(800)} ${digits(4)}`;
  const uk = `020 7${digits(3)} ${digits(4)}`;
  return message(size, seed % PARAGRAPHS.length)
    .replace(/\+1 415 555 0132/g, () => us)
    .replace(/020 7946 0958/g, () => uk);
}
