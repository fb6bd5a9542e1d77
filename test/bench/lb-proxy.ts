// A small loopback load balancer for the multi-process benches when Debian's nginx is not installed: round-robin over
// the app processes with kept-alive upstream connections, and, like nginx's `proxy_next_upstream error timeout
// non_idempotent`, a request whose upstream refused or dropped the connection before sending any byte of a response
// goes to the next upstream (webhooks are deduplicated by their id, so sending one twice is safe).
// Run as its own process (fork, IPC): argv = upstream ports; answers { url } when listening and { stats } on request.
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

const ports = process.argv.slice(2).map(Number);
const upstreams = ports.map((port) => ({ port, agent: new Agent({ keepAlive: true, maxSockets: 256 }), downUntil: 0 }));
const stats = { requests: 0, nextUpstream: 0, failed: 0 };
let next = 0;

/** Sends one buffered request upstream; rejects only when no byte of a response came back (safe to send elsewhere). */
function forward(
  upstream: (typeof upstreams)[number],
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const out = request(
      { host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: upstream.agent, timeout: 30_000 },
      (res) => resolve({ status: res.statusCode ?? 502, headers: res.headers, res }),
    );
    out.on('timeout', () => out.destroy(new Error('upstream timed out')));
    out.on('error', reject);
    out.end(body);
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    stats.requests++;
    const body = Buffer.concat(chunks);
    const attempt = async (): Promise<void> => {
      for (let tried = 0; tried < upstreams.length * 2; tried++) {
        const now = Date.now();
        const upstream = upstreams[next++ % upstreams.length]!;
        if (upstream.downUntil > now && tried < upstreams.length) continue;
        try {
          const got = await forward(upstream, req, body);
          res.writeHead(got.status, got.headers);
          got.res.pipe(res);
          return;
        } catch {
          // Refused or reset before a response: mark it down for a moment (like nginx's fail_timeout) and move on.
          upstream.downUntil = now + 1000;
          stats.nextUpstream++;
        }
      }
      stats.failed++;
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no upstream answered\n');
    };
    void attempt();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('message', (msg) => {
  if ((msg as { type?: string }).type === 'stats') process.send?.({ stats });
});
process.on('SIGTERM', () => process.exit(0));
// The bench is gone (out of memory, killed): nothing is left to balance for.
process.on('disconnect', () => process.exit(0));
