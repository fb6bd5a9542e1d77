import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's Maglev tier for this process (and its worker threads: V8 flags are process-wide). Called by
 * `createApp` before anything of ours runs hot, so every app process gets it however it was started.
 *
 * Why: with Maglev on (V8 13.6 in Node 24, and 14.6 in Node 26), a fitted churn model was sometimes stored with the
 * log-likelihood of a later fit. One object's number field took a value stored for another object, with identical
 * inputs, in 3 of 8 runs of compute/fit-off-thread.test.ts; in none of 8 with this call made first. Numbers a
 * merchant sees come from the same code, so the app does not run on that tier. Interpreted code still tiers up
 * to TurboFan (the cost, measured: README, "Known limits"). `--no-maglev` cannot go in NODE_OPTIONS, hence a call at
 * start; test/src/runtime/maglev-off.test.ts checks with `--trace-opt` that no model code is compiled by Maglev.
 */
export function turnOffMaglev(): void {
  setFlagsFromString('--no-maglev');
}
