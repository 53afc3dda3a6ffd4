import type { TokenIdentity } from './token-identity';

interface Entry {
  identity: TokenIdentity | null;
  storedAt: number;
}

/**
 * Token lookups by hash, kept for a short TTL and dropped at once by invalidation (events). A lookup that started
 * before an invalidation is not stored (the generation changed), so a revocation is never undone by a slow read.
 * Unknown tokens are cached too (as null), so a flood of bad tokens does not reach MySQL; the size is bounded.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): TokenIdentity | null | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (this.now() - e.storedAt >= this.ttlMs) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.identity;
  }

  /** The generation to pass to `set` once the lookup finishes. */
  begin(): number {
    return this.generation;
  }

  set(hash: string, identity: TokenIdentity | null, generation: number): void {
    if (generation !== this.generation || this.ttlMs === 0) return;
    this.entries.delete(hash);
    this.entries.set(hash, { identity, storedAt: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drop every entry matching `pred` (and every lookup in flight). */
  invalidate(pred: (identity: TokenIdentity) => boolean): void {
    this.generation++;
    for (const [hash, e] of this.entries) if (e.identity && pred(e.identity)) this.entries.delete(hash);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
