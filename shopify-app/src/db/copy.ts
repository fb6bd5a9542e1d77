// PostgreSQL's COPY for the writers that move many rows at once (the backfill's orders and refunds, a full run's
// insights), in COPY's binary format (PostgreSQL documentation, "COPY", "Binary Format"): the server takes each value
// as it is stored (an 8-byte integer, microseconds for a timestamptz, a double) instead of parsing text, and text goes
// as its UTF-8 bytes with a length, so nothing in it needs escaping. Also a transaction whose connection is known, so
// a COPY can run inside it. PGlite has no COPY FROM STDIN over this interface; callers keep their statement path for it.
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DB } from './schema.ts';

/** `PGCOPY\n\377\r\n\0`, then flags (int32 0: no OIDs) and the header extension's length (int32 0). */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** The trailer: a field count of -1. */
const TRAILER = Buffer.from([0xff, 0xff]);
/** 2000-01-01T00:00:00Z in UTC epoch ms: PostgreSQL's epoch for timestamps. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;
/** Bytes of a chunk sent to the COPY stream: a few thousand rows. */
const CHUNK_BYTES = 1 << 18;
const NONE: readonly Buffer[] = [];

/**
 * Writes the fields of rows in COPY's binary format into chunks of about {@link CHUNK_BYTES}. A row is `row(n)` then
 * exactly `n` field calls, in the column order of the COPY statement.
 */
export class BinaryCopyWriter {
  #buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #at = 0;
  readonly #chunks: Buffer[] = [];

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    this.#room(2);
    this.#buffer.writeInt16BE(fields, this.#at);
    this.#at += 2;
  }

  /** A `bigint` from a safe integer. */
  int8(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer for a bigint column: ${value}`);
    const at = this.#eightBytes();
    const high = Math.floor(value / TWO_32);
    this.#buffer.writeInt32BE(high, at);
    this.#buffer.writeUInt32BE(value - high * TWO_32, at + 4);
  }

  /** A `bigint` from canonical decimal text (a 64-bit Shopify id), or NULL. */
  int8Text(value: string | null): void {
    if (value === null) return this.null();
    // Up to 15 digits a double holds exactly; longer ids go through BigInt.
    if (value.length <= 15) return this.int8(Number(value));
    this.#buffer.writeBigInt64BE(BigInt(value), this.#eightBytes());
  }

  /** A `timestamptz` from UTC epoch ms: microseconds since 2000-01-01 UTC. */
  timestampMs(ms: number): void {
    const sinceEpochMs = ms - POSTGRES_EPOCH_MS;
    // Microseconds stay exact as a double up to about the year 2285; past that, BigInt.
    if (Math.abs(sinceEpochMs) < 9e12) return this.int8(sinceEpochMs * 1000);
    this.#buffer.writeBigInt64BE(BigInt(sinceEpochMs) * 1000n, this.#eightBytes());
  }

  /** A `double precision` (`float8`), exactly as the double it is. */
  float8(value: number): void {
    this.#buffer.writeDoubleBE(value, this.#eightBytes());
  }

  /** A `boolean`. */
  bool(value: boolean): void {
    this.#room(5);
    this.#buffer.writeInt32BE(1, this.#at);
    this.#buffer[this.#at + 4] = value ? 1 : 0;
    this.#at += 5;
  }

  /** A `text` value as its UTF-8 bytes, or NULL. */
  text(value: string | null): void {
    if (value === null) return this.null();
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    this.#room(4 + 3 * value.length);
    const length = this.#buffer.write(value, this.#at + 4, 'utf8');
    this.#buffer.writeInt32BE(length, this.#at);
    this.#at += 4 + length;
  }

  /** A NULL field. */
  null(): void {
    this.#room(4);
    this.#buffer.writeInt32BE(-1, this.#at);
    this.#at += 4;
  }

  /** The chunks filled since the last call (`all`: the one being filled too). */
  take(all = false): readonly Buffer[] {
    if (all && this.#at > 0) {
      this.#chunks.push(this.#buffer.subarray(0, this.#at));
      this.#buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      this.#at = 0;
    }
    return this.#chunks.length === 0 ? NONE : this.#chunks.splice(0);
  }

  /** Room for a field of 8 bytes (`bigint`, `timestamptz`, `float8`) with its length written; returns where its value goes. */
  #eightBytes(): number {
    this.#room(12);
    this.#buffer.writeInt32BE(8, this.#at);
    this.#at += 12;
    return this.#at - 8;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buffer.length) return;
    if (this.#at > 0) this.#chunks.push(this.#buffer.subarray(0, this.#at));
    this.#buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.#at = 0;
  }
}

/** `rows` in COPY's binary format, header and trailer included, encoded as they are read. */
function* binaryChunks<T>(rows: readonly T[], encode: (writer: BinaryCopyWriter, row: T) => void): Generator<Buffer> {
  yield HEADER;
  const writer = new BinaryCopyWriter();
  for (const row of rows) {
    encode(writer, row);
    yield* writer.take();
  }
  yield* writer.take(true);
  yield TRAILER;
}

/**
 * Sends `rows` through `copy` (a `COPY ... FROM STDIN WITH (FORMAT binary)` statement) on `client`; `encode` writes one
 * row's fields in the statement's column order.
 */
export async function copyBinaryRows<T>(
  client: pg.PoolClient,
  copy: string,
  rows: readonly T[],
  encode: (writer: BinaryCopyWriter, row: T) => void,
): Promise<void> {
  if (rows.length === 0) return;
  await pipeline(binaryChunks(rows, encode), client.query(copyFrom(copy)));
}

/**
 * Runs `work` in one transaction on a connection of its own from `pool`, handing it both the Kysely transaction and
 * the raw client: COPY needs the very connection the transaction runs on, which Kysely does not hand out, so Kysely
 * gets a pool of just that client for this transaction. A connection that failed (mid-COPY it may be in any protocol
 * state) is destroyed instead of going back to the pool.
 */
export async function transactionOnConnection<T>(pool: pg.Pool, work: (trx: Kysely<DB>, client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const lease: PostgresPoolClient = { query: client.query.bind(client) as PostgresPoolClient['query'], release: () => {} };
  const session = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: { connect: async () => lease, end: async () => {}, options: pool.options } }),
  });
  let failure: Error | undefined;
  try {
    return await session.transaction().execute((trx) => work(trx, client));
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    client.release(failure);
  }
}
