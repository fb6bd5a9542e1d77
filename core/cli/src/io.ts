/** Anything text can be written to: `process.stdout`, or a test's collector (`{ write: (s) => { out += s; } }`). */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * What a command may touch besides the files named in its arguments. `main.ts` passes the real process streams;
 * tests pass collectors. Commands never call `process.exit` or read `process.argv`: they return an exit code.
 */
export interface CliIo {
  /** Results: the scorecard, JSON documents. */
  readonly stdout: TextSink;
  /** Errors, warnings and progress. */
  readonly stderr: TextSink;
  /** True when stderr is an interactive terminal; progress is drawn only then, or with `--progress`. */
  readonly stderrIsTTY: boolean;
  /** Directory that relative file arguments are resolved against. */
  readonly cwd: string;
  /** Environment variables; LC_ALL, LC_MESSAGES and LANG give the default `--lang`. Default: none (English). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A `clvlens <command>` implementation: parses its own arguments (after the command name), returns the exit code. */
export type CommandRunner = (args: readonly string[], io: CliIo) => Promise<number>;
