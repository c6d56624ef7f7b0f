/** String.prototype.isWellFormed (Node 20+; typed from ES2024): false when a lone surrogate is present. */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}
