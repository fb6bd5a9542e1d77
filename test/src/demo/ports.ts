/**
 * Ports for the demo's servers. A server whose URL must be known before it listens (the app: its URL is part of its
 * Shopify configuration) gets a port checked free first; another process can take it between the check and the
 * listen (test files run in parallel), so the start is tried again on another port.
 */
import { createServer } from 'node:net';

/** How many ports {@link startOnFreePort} tries before it gives up. */
export const PORT_ATTEMPTS = 5;

/** `preferred` when it is free on 127.0.0.1, else a free ephemeral port. */
export async function pickPort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((done) => {
      const s = createServer();
      s.once('error', () => done(null));
      s.listen(port, '127.0.0.1', () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => done(got));
      });
    });
  return (preferred > 0 ? await tryListen(preferred) : null) ?? ((await tryListen(0)) as number);
}

/** Whether `error`, or an error it wraps (`cause`), is a listen on a port another process holds. */
export function portTaken(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  return false;
}

/**
 * Starts a server on `preferred` when it is free, else on a free port; when the port is taken before `start` listens
 * on it, tries again on another, up to {@link PORT_ATTEMPTS} ports. Any other failure is thrown at once.
 * @example const app = await startOnFreePort(3000, (port) => startAppServer({ ...config, appUrl: `http://127.0.0.1:${port}`, port }));
 */
export async function startOnFreePort<T>(
  preferred: number,
  start: (port: number) => Promise<T>,
  onRetry: (port: number) => void = () => {},
): Promise<{ port: number; server: T }> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort(attempt === 1 ? preferred : 0);
    try {
      return { port, server: await start(port) };
    } catch (error) {
      if (!portTaken(error) || attempt >= PORT_ATTEMPTS) throw error;
      onRetry(port);
    }
  }
}
