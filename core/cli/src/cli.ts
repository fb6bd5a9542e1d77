import { CliError, EXIT_INTERNAL_ERROR } from './errors.ts';
import type { CliIo, CommandRunner } from './io.ts';
import { runReport } from './commands/report.ts';
import { runFit } from './commands/fit.ts';
import { runPredict } from './commands/predict.ts';
import { runValidate } from './commands/validate.ts';

interface CommandEntry {
  run: CommandRunner;
  summary: string;
}

// Commands are registered here as they exist; an unregistered name is reported as unknown, never faked.
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  report: { run: runReport, summary: 'retention scorecard of an orders export or transaction log (--json, --html)' },
  fit: { run: runFit, summary: 'fit BG/NBD or MBG/NBD and Gamma-Gamma on a calibration period (--json)' },
  predict: { run: runPredict, summary: "per-customer churn probability (the app's choice), P(alive), expected purchases and CLV as CSV (--out, --json)" },
  validate: { run: runValidate, summary: "holdout validation of every purchase model and of the app's churn choice (--json)" },
};

/** Top-level usage text, listing the registered commands. */
export function usage(): string {
  const lines = ['Usage: clvlens <command> [options]', '', 'Commands:'];
  for (const [name, entry] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', 'Run `clvlens <command> --help` for the options of a command.');
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `clvlens <command> ...args` and returns the process exit code (0 success, 1 internal error, 2 usage,
 * 3 bad input, 4 output not writable; see README). Never throws: errors are printed to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout).write(usage());
    return command === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry === undefined) {
    io.stderr.write(`clvlens: unknown command "${command}".\n\n${usage()}`);
    return 2;
  }
  try {
    return await entry.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/** Prints an error the way every command does and returns its exit code. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CliError) {
    io.stderr.write(`clvlens: ${error.message}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`clvlens: internal error (please report it with the command you ran):\n${text}\n`);
  return EXIT_INTERNAL_ERROR;
}
