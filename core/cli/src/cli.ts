import { createTranslator, type Locale } from '@clvlens/core/i18n';
import { CliError, EXIT_INTERNAL_ERROR } from './errors.ts';
import type { CliIo, CommandRunner } from './io.ts';
import { localeOfArgs } from './commands/command-line.ts';

// Commands are registered here as they exist; an unregistered name is reported as unknown, never faked. The top-level
// help (`cli.help.main` in the catalog) lists these four. Each is loaded when run: `report` does not load the models.
const COMMANDS: Readonly<Record<string, () => Promise<CommandRunner>>> = {
  report: async () => (await import('./commands/report.ts')).runReport,
  fit: async () => (await import('./commands/fit.ts')).runFit,
  predict: async () => (await import('./commands/predict.ts')).runPredict,
  validate: async () => (await import('./commands/validate.ts')).runValidate,
};

/** Top-level usage text, listing the commands, in `locale`. */
export function usage(locale: Locale = 'en'): string {
  return createTranslator(locale).t('cli.help.main');
}

/**
 * Runs `clvlens <command> ...args` and returns the process exit code (0 success, 1 internal error, 2 usage,
 * 3 bad input, 4 output not writable; see README). Never throws: errors are printed to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // `clvlens --lang ko fit ...` is `clvlens fit ... --lang ko`.
  if (argv[0] === '--lang' && argv.length > 2) return runCli([...argv.slice(2), '--lang', argv[1]!], io);
  if (argv[0]?.startsWith('--lang=') && argv.length > 1) return runCli([...argv.slice(1), argv[0]], io);
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help' || command === '--lang' || command.startsWith('--lang=')) {
    (command === undefined ? io.stderr : io.stdout).write(usage(localeOfArgs(argv, io)));
    return command === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (load === undefined) {
    const locale = localeOfArgs(argv, io);
    io.stderr.write(`clvlens: ${createTranslator(locale).t('cli.usage.unknownCommand', { command: JSON.stringify(command) })}\n\n${usage(locale)}`);
    return 2;
  }
  try {
    const run = await load();
    return await run(args, io);
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
