import { describe, expect, it } from 'vitest';
import { REDACTED, redactPaths } from './redact-paths.js';

describe('redactPaths', () => {
  const args = {
    account: 'DE89370400440532013000',
    nested: { pin: 1234, keep: 'x' },
    list: [{ ssn: 'a' }, { ssn: 'b' }],
  };

  it('redacts the named paths and leaves the rest', () => {
    const out = redactPaths(args, ['action.args.account', 'action.args.nested.pin'], 'action.args.');
    expect(out).toEqual({ ...args, account: REDACTED, nested: { pin: REDACTED, keep: 'x' } });
  });

  it('does not mutate its input', () => {
    redactPaths(args, ['action.args.account'], 'action.args.');
    expect(args.account).toBe('DE89370400440532013000');
  });

  it('supports * over arrays and objects', () => {
    expect(redactPaths(args, ['action.args.list.*.ssn'], 'action.args.').list).toEqual([
      { ssn: REDACTED },
      { ssn: REDACTED },
    ]);
    expect(redactPaths({ a: { x: 1, y: 2 } }, ['a.*'])).toEqual({ a: { x: REDACTED, y: REDACTED } });
  });

  it('ignores missing paths and paths outside the prefix', () => {
    expect(redactPaths(args, ['action.args.nope.deeper', 'context.region'], 'action.args.')).toEqual(args);
  });

  it('does not treat inherited properties as present', () => {
    expect(redactPaths({ a: 1 }, ['toString'])).toEqual({ a: 1 });
  });
});
