import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './db/connect.ts';
import { AppError } from './errors.ts';
import { silentLogger } from './log.ts';
import { startAppServer } from './start.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'clvlens-start-'));

const config = {
  apiKey: 'start-key',
  apiSecretKey: 'start-secret',
  appUrl: 'https://app.example.com',
  encryptionKey: 'c'.repeat(64),
  host: '127.0.0.1',
  log: silentLogger,
};

describe('startAppServer on a port another process holds', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails with a config error naming the port, releases its database, and a start on a free port works after it', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const failed = await startAppServer({ ...config, dataDir, port }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(AppError);
      expect((failed as AppError).code).toBe('config');
      expect((failed as AppError).message).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(((failed as AppError).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    // The failed start opened the PGlite directory itself: it must have closed it (the lock), and stopped its jobs.
    const database = await createDatabase({ dataDir, log: silentLogger });
    const server = await startAppServer({ ...config, database, port: 0 });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    await server.stop();
    await database.close();
  });
});
