import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PORT_ATTEMPTS, startOnFreePort } from './ports.ts';

const servers: Server[] = [];
const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve(server);
    });
  });
const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('startOnFreePort', () => {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('starts on the preferred port when it is free', async () => {
    const probe = await listen(0);
    const preferred = portOf(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    servers.splice(servers.indexOf(probe), 1);
    const { port, server } = await startOnFreePort(preferred, listen);
    expect(port).toBe(preferred);
    expect(portOf(server)).toBe(preferred);
  });

  it('starts on another port when the preferred one is held', async () => {
    const holder = await listen(0);
    const { port } = await startOnFreePort(portOf(holder), listen);
    expect(port).not.toBe(portOf(holder));
  });

  it('tries another port when the one it picked is taken before the server listens on it', async () => {
    const tried: number[] = [];
    const retried: number[] = [];
    const { port, server } = await startOnFreePort(
      0,
      async (picked) => {
        tried.push(picked);
        // Another process takes the port between the check and the listen.
        if (tried.length === 1) await listen(picked);
        return listen(picked);
      },
      (taken) => retried.push(taken),
    );
    expect(tried).toHaveLength(2);
    expect(retried).toEqual([tried[0]]);
    expect(port).toBe(tried[1]);
    expect(portOf(server)).toBe(port);
  });

  it(`gives up after ${PORT_ATTEMPTS} taken ports, and at once on any other failure`, async () => {
    let calls = 0;
    const taken = await startOnFreePort(0, async (picked) => {
      calls += 1;
      await listen(picked);
      return listen(picked);
    }).catch((error: unknown) => error);
    expect((taken as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(calls).toBe(PORT_ATTEMPTS);

    calls = 0;
    const broken = await startOnFreePort(0, async () => {
      calls += 1;
      throw new Error('bad configuration');
    }).catch((error: unknown) => error);
    expect((broken as Error).message).toBe('bad configuration');
    expect(calls).toBe(1);
  });
});
