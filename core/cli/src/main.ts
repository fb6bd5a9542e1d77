// The `clvlens` executable: the only file that touches the process (argv, env, exit code).
import { enableCompileCache } from 'node:module';
import { setFlagsFromString } from 'node:v8';

// V8's Maglev tier sometimes gave a fitted model's object a number stored for another object (a stored log-likelihood
// that belonged to a later fit; see shopify-app/src/ops/v8-flags.ts). The models run here too, so the CLI does not use
// that tier; TurboFan still optimises. Set before the rest is even loaded (hence the dynamic import), so nothing of
// ours is compiled by Maglev; worker threads share the process's flags.
setFlagsFromString('--no-maglev');
// Node's compile cache (NODE_COMPILE_CACHE, else the OS's temp directory) keeps our modules with their types stripped
// and compiled: without it every run strips and compiles them again (`clvlens predict --help` took 0.75-0.89 s
// without, 0.49-0.66 s with it; see README). Node writes it when the process exits. A worker thread does not inherit
// the cache from this call, only from the variable, hence the variable for the reading and side-metrics workers.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const compileCache = enableCompileCache();
if (compileCache.directory !== undefined) process.env['NODE_COMPILE_CACHE'] ??= compileCache.directory;
const { runCli } = await import('./cli.ts');

// A reader that stops early (`clvlens predict ... | head`) closes the pipe: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: process.stderr.isTTY === true,
  // pnpm runs `pnpm clvlens` in the workspace root and package scripts in the package folder: paths are relative to
  // that directory (see README).
  cwd: process.cwd(),
  env: process.env,
});
