// A bench that dies without running its cleanup (out of memory, SIGKILL, a crash in a native module) would leave
// PostgreSQL and nginx running, and their CPU would be counted against the next bench on the machine. Each is handed
// to a small detached shell that stops it once the bench's process is gone. The forked app processes and the Node
// balancer need none: they exit when their IPC channel to the bench closes.
import { spawn } from 'node:child_process';

/** Quotes `word` for `sh` (single quotes, with any single quote inside closed and escaped). */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `command` (argv, quoted for `sh`) once this process has exited, however it exits; output is discarded. On a
 * normal stop the bench has already stopped what `command` stops, which then finds nothing to do.
 */
export function runWhenBenchExits(...commands: string[][]): void {
  const script = commands.map((argv) => argv.map(shellQuote).join(' ')).join('; ');
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${script}`], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}
