/**
 * Local servers for the extension's end-to-end tests: the app's API v1 over HTTP (the in-process fake from
 * `@clvlens/extension/testing`, fed with real CDNOW-derived records) and an HTTPS server that plays
 * `admin.shopify.com` with fixture pages reproducing the admin's URL and link structure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminFixtureHtml, type AdminFixtureData } from './admin-fixture.ts';
import { realAdminHtml, type AdminGeneration, type RealAdminData } from './real-admin-fixture.ts';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, scheme: 'http' | 'https'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method ?? 'GET',
    headers,
    ...(body && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
  });
}

async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((v, k) => res.setHeader(k, v));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Serves a fetch-style handler over HTTP on a random loopback port. */
export async function serveFetchHandler(handler: (req: Request) => Promise<Response>): Promise<RunningServer> {
  let origin = 'http://127.0.0.1';
  const server = createHttpServer((req, res) => {
    toRequest(req, origin)
      .then(handler)
      .then((r) => sendResponse(res, r))
      .catch((error: unknown) => {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: { code: 'internal', message: String(error) } }));
      });
  });
  const running = await listen(server, 'http');
  origin = running.url;
  return running;
}

/** A self-signed certificate for admin.shopify.com, made with openssl 3 in a temporary folder. */
export function makeCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=admin.shopify.com',
        '-addext',
        'subjectAltName=DNS:admin.shopify.com',
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** HTTPS server for `https://admin.shopify.com/store/<handle>/...`: every admin path gets the fixture SPA. */
export async function serveAdminFixture(data: AdminFixtureData): Promise<RunningServer> {
  const { key, cert } = makeCertificate();
  const html = adminFixtureHtml(data);
  const server = createHttpsServer({ key, cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://admin.shopify.com').pathname;
    if (path.startsWith(`/store/${data.storeHandle}/`) || path === `/store/${data.storeHandle}`) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(html);
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  return listen(server, 'https');
}

/** HTTPS server for the real-admin replica; which admin generation it serves can change between tests. */
export async function serveRealAdmin(data: RealAdminData): Promise<RunningServer & { setGeneration(g: AdminGeneration): void }> {
  const { key, cert } = makeCertificate();
  const html = { '2024': realAdminHtml(data, '2024'), '2026': realAdminHtml(data, '2026') };
  let generation: AdminGeneration = '2024';
  const server = createHttpsServer({ key, cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://admin.shopify.com').pathname;
    if (path.startsWith(`/store/${data.storeHandle}/`) || path === `/store/${data.storeHandle}`) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(html[generation]);
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  const running = await listen(server, 'https');
  return { ...running, setGeneration: (g) => void (generation = g) };
}

/**
 * An HTTP proxy on loopback that tunnels every CONNECT to one local port: how Firefox, which has no host-resolver
 * rules, reaches the fixture as `https://admin.shopify.com` (loopback itself is never proxied). Anything but CONNECT
 * is refused.
 */
export async function serveConnectProxy(targetPort: number): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.once('data', (head) => {
      if (!head.toString('latin1').startsWith('CONNECT ')) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}
