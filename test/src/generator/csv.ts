/** Small CSV and output helpers shared by the writers. */
import { timeZoneOffsetMs } from '@clvlens/core';

/** The part of a Node `Writable` the writers use; a `fs.WriteStream`, `process.stdout` or a `PassThrough` fit. */
export interface WritableLike {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
const NEEDS_QUOTES = /[",\r\n]/;

/** Buffers text and writes it in ~256 KB chunks, waiting for `drain` when the stream asks to. */
export class ChunkedWriter {
  readonly #out: WritableLike;
  #parts: string[] = [];
  #size = 0;
  /** Characters written so far (UTF-16 code units). */
  chars = 0;

  constructor(out: WritableLike) {
    this.#out = out;
  }

  push(text: string): Promise<void> | null {
    this.#parts.push(text);
    this.#size += text.length;
    this.chars += text.length;
    return this.#size >= 262_144 ? this.flush() : null;
  }

  flush(): Promise<void> | null {
    if (this.#parts.length === 0) return null;
    const chunk = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    if (this.#out.write(chunk)) return null;
    return new Promise((resolve) => {
      this.#out.once('drain', resolve);
    });
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `2025-10-02 17:09:34 -0300`: Shopify's export datetime, in the shop's time zone. */
export function formatShopDateTime(ms: number, timeZone: string): string {
  const offsetMs = timeZoneOffsetMs(ms, timeZone);
  const d = new Date(ms + offsetMs);
  const offsetMin = Math.round(offsetMs / 60_000);
  const abs = Math.abs(offsetMin);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${offsetMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

/** `2026-01-02T03:04:05Z`: ISO 8601 UTC to the second, as Shopify's GraphQL `DateTime`. */
export function formatIsoUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
