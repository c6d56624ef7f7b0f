/** Exit codes of every `portcullis` command (docs/cli.md lists them). */
export const EXIT = {
  ok: 0,
  /** Invalid config or policy, failed tests, failed verification, or an internal error. */
  failure: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** `eval`: the decision is deny. */
  deny: 3,
  /** `eval`: the decision is escalate. */
  escalate: 4,
} as const;
