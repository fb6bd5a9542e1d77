import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import { createTranslator, type Locale } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';

/** Encodings an input file can be read in (`--encoding`). */
export const TEXT_ENCODINGS = ['utf8', 'latin1'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/**
 * `latin1` is read as Windows-1252, the WHATWG meaning of the label and what Excel writes on Western Windows: it is
 * ISO-8859-1 plus printable characters (€, “ ”) in 0x80-0x9F, where ISO-8859-1 has unused control codes.
 */
const latin1 = new TextDecoder('latin1');

/** Byte length of the UTF-8 sequence a lead byte starts (0 for a continuation or invalid byte). */
function sequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

/** Bytes at the end of `bytes` that start a UTF-8 sequence the next chunk completes (0 to 3). */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = sequenceLength(byte);
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and code points above U+10FFFF
 * included, as TextDecoder's fatal mode rejects them), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = sequenceLength(b);
    if (n === 0) return i;
    if (n === 1) {
      i++;
      continue;
    }
    if (i + n > bytes.length) return i;
    const b1 = bytes[i + 1]!;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, end);
  let n = 0;
  for (let at = view.indexOf(0x0a); at !== -1; at = view.indexOf(0x0a, at + 1)) n++;
  return n;
}

/** The `invalid-encoding` error for the invalid byte at `offset` of `bytes`, whose first byte is on line `line`. */
export function invalidUtf8Error(file: string, bytes: Uint8Array, offset: number, line: number, locale: Locale): CliError {
  let lineStart = offset;
  while (lineStart > 0 && bytes[lineStart - 1] !== 0x0a) lineStart--;
  const lineNumber = line + countNewlines(bytes, offset);
  // Column in characters of the line, as an editor counts them: the valid bytes before the bad one, decoded.
  const column = Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, offset - lineStart).toString('utf8').length + 1;
  const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
  return new CliError(
    CliErrorCode.invalidEncoding,
    createTranslator(locale).t('cli.error.invalidUtf8', { file, line: String(lineNumber), column: String(column), byte }),
  );
}

/**
 * Decodes a whole file's bytes. UTF-8 (a leading BOM kept for the readers to drop) must be valid: the first invalid
 * byte is an `invalid-encoding` error naming its line, so a Latin-1 "José" never silently becomes "Jos\uFFFD".
 */
export function decodeText(bytes: Uint8Array, file: string, encoding: TextEncoding, locale: Locale = 'en'): string {
  if (encoding === 'latin1') return latin1.decode(bytes);
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  throw invalidUtf8Error(file, bytes, firstInvalidUtf8(bytes), 1, locale);
}

/**
 * Like {@link decodeText}, but for the start of a file cut at an arbitrary byte (format detection): a sequence cut
 * at the end is dropped, not an error.
 */
export function decodeHead(bytes: Uint8Array, file: string, encoding: TextEncoding, locale: Locale = 'en'): string {
  const cut = encoding === 'utf8' ? incompleteTail(bytes) : 0;
  return decodeText(bytes.subarray(0, bytes.length - cut), file, encoding, locale);
}

/**
 * A stream turning a file's bytes into text chunks: Latin-1 (Windows-1252) byte by byte, or UTF-8 checked as it
 * goes, with sequences split across chunks carried over. The first invalid UTF-8 byte ends the stream with an
 * `invalid-encoding` CliError naming the line.
 */
export function createDecodingStream(file: string, encoding: TextEncoding, locale: Locale = 'en'): Transform {
  let carry: Uint8Array = new Uint8Array(0);
  let line = 1;
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      if (encoding === 'latin1') {
        callback(null, latin1.decode(chunk));
        return;
      }
      const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const cut = incompleteTail(bytes);
      const complete = bytes.subarray(0, bytes.length - cut);
      carry = Uint8Array.prototype.slice.call(bytes, bytes.length - cut);
      if (!isUtf8(complete)) {
        callback(invalidUtf8Error(file, complete, firstInvalidUtf8(complete), line, locale));
        return;
      }
      line += countNewlines(complete, complete.length);
      callback(null, Buffer.from(complete.buffer, complete.byteOffset, complete.length).toString('utf8'));
    },
    flush(callback) {
      if (carry.length > 0) {
        callback(invalidUtf8Error(file, carry, 0, line, locale));
        return;
      }
      callback();
    },
  });
}
