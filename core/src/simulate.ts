// `@clvlens/core/simulate`: customers drawn from each model's generative story, for tests and studies that need data
// whose true parameters are known. Apart from `@clvlens/core/models` because the samplers come from @stdlib's random
// packages, which took about 0.12 s to load on the benchmark machine (2026-12-07) in every run of the CLI's model
// commands, which only fit and predict. The draws are seeded (`createSeededRng`): core has no randomness of its own.
// Every name here is in the export snapshot (test/src/exports/core-exports.test.ts).

/** BG/NBD (Fader, Hardie & Lee 2005) and the Mersenne Twister behind every simulator's uniform draws. */
export { createSeededRng, simulateBetaGeo, simulateBgNbd } from './models/bg-nbd/simulate.ts';
export type { SimulatedCustomers, UniformRng } from './models/bg-nbd/simulate.ts';

/** MBG/NBD (Batislam, Denizel & Filiztekin 2007). */
export { simulateMbgNbd } from './models/mbg-nbd/simulate.ts';

/** Pareto/NBD (Schmittlein, Morrison & Colombo 1987). */
export { simulateParetoNbd } from './models/pareto-nbd/simulate.ts';

/** MBG/CNBD-k (Platzer & Reutterer 2016). */
export { simulateMbgCnbd } from './models/mbg-cnbd-k/simulate.ts';
export type { SimulatedMbgCnbdCustomers } from './models/mbg-cnbd-k/simulate.ts';

/** Gamma-Gamma spend (Fader & Hardie 2013). */
export { simulateGammaGamma } from './models/gamma-gamma/simulate.ts';
