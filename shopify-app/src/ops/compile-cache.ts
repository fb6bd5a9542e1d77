// Node's compile cache for the app: this thread's modules and those of the worker threads it starts.
import { enableCompileCache } from 'node:module';

/**
 * Enables Node's compile cache (NODE_COMPILE_CACHE, else the OS's temp directory; NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off) for this thread, and for the worker threads started after it through the variable: a worker does not
 * inherit the cache from the call. The app starts a worker for each large shop's metrics and one for its fits; each
 * loaded its modules, types stripped again, in 0.25-0.29 s instead of 0.11-0.13 s with the cache (2026-12-07).
 * @returns the cache's directory, or null when it is off or could not be opened.
 */
export function enableCompileCacheForThreads(): string | null {
  const result = enableCompileCache();
  if (result.directory === undefined) return null;
  process.env['NODE_COMPILE_CACHE'] ??= result.directory;
  return result.directory;
}
