// The loopback load balancer in front of the app processes of the multi-process benches: Debian's nginx when it is
// installed (the configuration the README's "Real shops" section recommends), else lb-proxy.ts (the same rules in
// Node). CLVLENS_BENCH_LB=nginx|node forces one; CLVLENS_NGINX names the nginx binary (default /usr/sbin/nginx).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWhenBenchExits } from './orphans.ts';
import { freePort } from './throwaway-postgres.ts';

export interface LoadBalancer {
  url: string;
  pid: number | undefined;
  /** What it is, for the bench's output. */
  name: string;
  /** What it passed to the next upstream so far (connection refused or reset by a killed or stopping process). */
  retried(): Promise<string>;
  stop(): void;
}

/** nginx's configuration: upstreams with kept-alive connections, a failed one skipped for 1 s, POSTs retried elsewhere. */
function nginxConf(dir: string, listenPort: number, upstreamPorts: readonly number[]): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream clvlens {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://clvlens;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 1s;
    }
  }
}
`;
}

export async function startLoadBalancer(upstreamPorts: readonly number[]): Promise<LoadBalancer> {
  const choice = process.env['CLVLENS_BENCH_LB'] ?? 'auto';
  const nginxBin = process.env['CLVLENS_NGINX'] ?? '/usr/sbin/nginx';
  if (choice === 'nginx' && !existsSync(nginxBin)) throw new Error(`CLVLENS_BENCH_LB=nginx but ${nginxBin} is not installed (apt-get install -y nginx)`);
  if (choice !== 'node' && existsSync(nginxBin)) {
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-bench-nginx-'));
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port, upstreamPorts));
    const nginx: ChildProcess = spawn(nginxBin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' });
    if (nginx.pid !== undefined) runWhenBenchExits(['kill', String(nginx.pid)], ['rm', '-rf', dir]);
    const url = `http://127.0.0.1:${port}`;
    for (let t = 0; ; t++) {
      const up = await fetch(`${url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      if (t > 200) throw new Error(`nginx did not come up (see ${dir}/error.log)`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      url,
      pid: nginx.pid,
      name: `nginx (${nginxBin}), 1 worker, proxy_next_upstream error timeout non_idempotent`,
      async retried() {
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
        const lines = log.split('\n').filter((l) => l.includes('upstream'));
        return `${lines.length} upstream errors passed to the next upstream by nginx${lines[0] ? `, e.g. ${lines[0].replace(/^.*\[\w+\] \S+ /, '').slice(0, 160)}` : ''}`;
      },
      stop() {
        nginx.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (choice === 'auto') console.log(`nginx is not installed (${nginxBin}); using the Node load balancer (lb-proxy.ts). apt-get install -y nginx to use it.`);
  const proxy = fork(fileURLToPath(new URL('./lb-proxy.ts', import.meta.url)), upstreamPorts.map(String), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  const url = await new Promise<string>((resolve) => proxy.once('message', (m) => resolve((m as { url: string }).url)));
  return {
    url,
    pid: proxy.pid,
    name: 'Node proxy (lb-proxy.ts), round-robin, next upstream on refused/reset',
    retried: () =>
      new Promise<string>((resolve) => {
        proxy.once('message', (m) => resolve(`Node proxy: ${JSON.stringify((m as { stats: unknown }).stats)}`));
        proxy.send({ type: 'stats' });
      }),
    stop() {
      proxy.kill('SIGTERM');
    },
  };
}
