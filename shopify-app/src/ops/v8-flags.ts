import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's Maglev tier for this process (and its worker threads: V8 flags are process-wide). Called by
 * `createApp` before anything of ours runs hot, so every app process gets it however it was started.
 *
 * Why: with Maglev on (V8 13.6 in Node 24, and 14.6 in Node 26), a fitted churn model was sometimes stored with the
 * log-likelihood of a later fit: one object's number field took a value stored for another object, with identical
 * inputs. That happened in 9 of 18 runs of compute/fit-off-thread.test.ts; in none of 8 with this call made first;
 * in none of 19 with only Maglev's escape analysis off (`--no-maglev-escape-analysis`), which points at that pass.
 * Numbers a merchant sees come from the same code, so the whole tier stays off until V8 is fixed: that is what the
 * tests ran with, and what `--trace-opt` can show (test/src/runtime/maglev-off.test.ts checks that no model code is
 * compiled by Maglev). Interpreted code still tiers up to TurboFan; the cost, measured, is in the README ("Known
 * limits"). `--no-maglev` is not accepted in NODE_OPTIONS, hence a call at start.
 */
export function turnOffMaglev(): void {
  setFlagsFromString('--no-maglev');
}
