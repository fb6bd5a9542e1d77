/**
 * How benches print: each figure beside its floor with PASS or BELOW, and the machine and load it was measured on.
 * Wall-clock figures depend on the machine and on what else runs, so a figure without its machine means little.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** Cores, CPU model, memory and Node version, e.g. `2 cores, Intel(R) Xeon(R) Processor, 24 GB, Node 24.21.0`. */
export function machine(): string {
  const cores = cpus();
  return `${cores.length} cores, ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.versions.node}`;
}

/** `chromium --version` of the browser the extension benches launch (null when it is missing). */
export function chromiumVersion(executable: string = process.env.CLVLENS_CHROMIUM ?? '/usr/bin/chromium'): string | null {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** `firefox-esr --version` of the browser the Firefox benches launch (null when it is missing). */
export function firefoxVersion(executable: string = process.env.CLVLENS_FIREFOX ?? '/usr/bin/firefox-esr'): string | null {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The 1, 5 and 15 minute load averages, e.g. `0.9 0.3 0.1`. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
export const worst = (xs: readonly number[]): number => Math.max(...xs);

/** A floor: the figure must be at most (`<=`) or at least (`>=`) the limit. */
export interface Floor {
  op: '<=' | '>=';
  limit: number;
}

/** The worst of `xs` against `floor`: the largest for a ceiling (`<=`), the smallest for a minimum (`>=`). */
export const worstAgainst = (xs: readonly number[], floor: Floor): number => (floor.op === '<=' ? Math.max(...xs) : Math.min(...xs));

export const meets = (value: number, floor: Floor): boolean => (floor.op === '<=' ? value <= floor.limit : value >= floor.limit);

/**
 * Prints one figure: its value, its floor and PASS or BELOW (the value judged against the floor), and optionally the
 * worst case beside it, flagged when the worst case alone misses the floor.
 */
export function figure(name: string, value: number, floor: Floor, format: (v: number) => string, worstValue?: number): boolean {
  const ok = meets(value, floor);
  const worstText = worstValue === undefined ? '' : `   worst ${format(worstValue)}${meets(worstValue, floor) ? '' : ' (misses the floor)'}`;
  console.log(`${ok ? 'PASS ' : 'BELOW'}  ${name.padEnd(64)} ${format(value).padStart(10)}   floor ${floor.op} ${format(floor.limit)}${worstText}`);
  return ok;
}

/**
 * A timing measured over several runs: the median judged against the floor, the worst run beside it. Prints the
 * number of runs in the name, so a reader knows what the median is of.
 */
export function runsFigure(name: string, values: readonly number[], floor: Floor, format: (v: number) => string): boolean {
  return figure(`${name}, median of ${values.length}`, median(values), floor, format, worstAgainst(values, floor));
}

/** Prints a figure that has no floor or target ("info"), optionally with its worst case (the largest value). */
export function info(name: string, value: number, format: (v: number) => string, worstValue?: number): void {
  console.log(`info   ${name.padEnd(64)} ${format(value).padStart(10)}${worstValue === undefined ? '' : `   worst ${format(worstValue)}`}`);
}

/** {@link info} over several runs: the median, and the largest value as the worst (a time or a size). */
export function runsInfo(name: string, values: readonly number[], format: (v: number) => string): void {
  info(`${name}, median of ${values.length}`, median(values), format, worst(values));
}
