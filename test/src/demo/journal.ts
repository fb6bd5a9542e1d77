/**
 * The live-mode journal: every change live mode makes to the demo shop is appended (one JSON line, written before
 * the change reaches the fake) so a later start rebuilds exactly the same shop: the base shop regenerated from its
 * seed, then the journal replayed. The fake Shopify lives in memory; this is what makes "resume" possible.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { FakeShopifyControl } from '../fake-shopify/server.ts';

/** The control calls live mode makes; each journal line is `{ "op": <one of these>, "args": [...] }`. */
const JOURNALED = ['addCustomer', 'updateCustomer', 'deleteCustomer', 'addOrder', 'updateOrder', 'cancelOrder', 'refundOrder'] as const;
type JournaledOp = (typeof JOURNALED)[number];

/**
 * A control API that appends each shop-changing call to `path` before passing it on. Live mode always passes
 * explicit times (`atMs`, `createdAtMs`, `updatedAtMs`), so a replay reproduces the same objects.
 */
export function journalingControl(control: FakeShopifyControl, path: string): FakeShopifyControl {
  const wrapped: FakeShopifyControl = { ...control };
  for (const op of JOURNALED) {
    const original = control[op] as (...args: unknown[]) => unknown;
    (wrapped as unknown as Record<JournaledOp, (...args: unknown[]) => unknown>)[op] = (...args: unknown[]) => {
      appendFileSync(path, `${JSON.stringify({ op, args })}\n`);
      return original(...args);
    };
  }
  return wrapped;
}

/** What a replay did. */
export interface ReplaySummary {
  applied: number;
  /** Lines skipped, by reason: a line cut short by a crash, or a change the shop refused. */
  skipped: { truncated: number; rejected: number };
}

/**
 * Applies a journal to the fake through its control API. Call it before the app's webhook subscriptions are set:
 * the app saw these changes when they first happened.
 */
export function replayJournal(control: FakeShopifyControl, path: string): ReplaySummary {
  const summary: ReplaySummary = { applied: 0, skipped: { truncated: 0, rejected: 0 } };
  if (!existsSync(path)) return summary;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let entry: { op?: unknown; args?: unknown };
    try {
      entry = JSON.parse(line) as { op?: unknown; args?: unknown };
    } catch {
      // Only the last line can be cut short (a crash while appending); anything else is a broken file.
      if (i >= lines.length - 2) {
        summary.skipped.truncated++;
        continue;
      }
      throw new Error(`${path}:${i + 1}: not a JSON line; delete the demo data folder to start over`);
    }
    if (typeof entry.op !== 'string' || !(JOURNALED as readonly string[]).includes(entry.op) || !Array.isArray(entry.args)) {
      throw new Error(`${path}:${i + 1}: unknown journal entry ${JSON.stringify(entry.op)}`);
    }
    try {
      (control[entry.op as JournaledOp] as (...args: unknown[]) => unknown)(...entry.args);
      summary.applied++;
    } catch {
      summary.skipped.rejected++;
    }
  }
  return summary;
}
