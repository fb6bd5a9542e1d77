import { requestScope } from './ops/request-context.ts';

/** Structured log sink injected into the app. Context values must never contain tokens or personal data. */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Source of "now" (UTC epoch ms), injected so tests can move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A logger writing one JSON line per event to stderr. A line written while a request is served carries its
 * `requestId` and, once proven, its `shop` ({@link requestScope}); the caller's context wins over them.
 */
export function createJsonLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: string, message: string, context?: Record<string, unknown>): void => {
    const scope = requestScope.getStore();
    stream.write(`${JSON.stringify({ t: new Date().toISOString(), level, message, ...scope, ...context })}\n`);
  };
  return {
    info: (m, c) => write('info', m, c),
    warn: (m, c) => write('warn', m, c),
    error: (m, c) => write('error', m, c),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
