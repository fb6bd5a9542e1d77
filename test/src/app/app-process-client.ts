import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { API_KEY, API_SECRET, ENCRYPTION_KEY } from './harness.ts';

/** A forked app process (see app-process.ts) and a small RPC over its IPC channel. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  call<T>(type: 'status' | 'reconcile' | 'recompute-full' | 'dump' | 'stop', shop?: string): Promise<T>;
  kill9(): Promise<void>;
}

export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const child = fork(fileURLToPath(new URL('./app-process.ts', import.meta.url)), [], {
    env: { ...process.env, APP_API_KEY: API_KEY, APP_API_SECRET: API_SECRET, APP_ENCRYPTION_KEY: ENCRYPTION_KEY, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // CLVLENS_APP_EXEC_ARGV: Node flags for every app process of a bench, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    // to see where the apps' CPU goes under load (NODE_OPTIONS does not take --cpu-prof).
    execArgv: process.env['CLVLENS_APP_EXEC_ARGV']?.split(' ').filter(Boolean) ?? [],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`app process exited with ${code} before it was ready`)));
    child.on('message', (raw) => {
      const msg = raw as { ready?: boolean; url?: string; id?: number; value?: unknown; error?: string };
      if (msg.ready) resolve(msg.url!);
      else if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error !== undefined) p?.reject(new Error(msg.error));
        else p?.resolve(msg.value);
      }
    });
  });
  child.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error('app process exited'));
    pending.clear();
  });
  return {
    url,
    child,
    call<T>(type: 'status' | 'reconcile' | 'recompute-full' | 'dump' | 'stop', shop?: string): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, type, shop });
      });
    },
    kill9() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
