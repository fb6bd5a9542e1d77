import type { TextSink } from './io.ts';

/** Progress of reading one file: bytes consumed so far of the file's size, and data rows seen. */
export interface Progress {
  update(bytesRead: number, totalBytes: number, rows: number): void;
  done(totalBytes: number, rows: number): void;
}

const REDRAW_EVERY_MS = 200;

/** A progress line redrawn in place on stderr (`\r`), throttled; `enabled: false` gives a no-op. */
export function createProgress(stderr: TextSink, enabled: boolean, label: string, now: () => number = () => performance.now()): Progress {
  if (!enabled) return { update: () => {}, done: () => {} };
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  const startMs = now();
  const draw = (bytesRead: number, totalBytes: number, rows: number, final: boolean) => {
    const percent = totalBytes > 0 ? Math.min(100, (100 * bytesRead) / totalBytes) : 100;
    const seconds = ((now() - startMs) / 1000).toFixed(1);
    stderr.write(
      `\r${label}: ${percent.toFixed(0).padStart(3)}% of ${formatBytes(totalBytes)}, ` +
        `${rows.toLocaleString('en-US')} rows, ${seconds} s${final ? '\n' : ''}`,
    );
  };
  return {
    update(bytesRead, totalBytes, rows) {
      const t = now();
      if (t - lastDrawMs < REDRAW_EVERY_MS) return;
      lastDrawMs = t;
      draw(bytesRead, totalBytes, rows, false);
    },
    done(totalBytes, rows) {
      draw(totalBytes, totalBytes, rows, true);
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}
