import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryCopyWriter, copyBinaryRows } from './copy.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

interface Row {
  id: string | null;
  amount: number;
  atMs: number;
  label: string | null;
  flag: boolean;
  ratio: number;
}

const encode = (w: BinaryCopyWriter, r: Row) => {
  w.row(6);
  w.int8Text(r.id);
  w.int8(r.amount);
  w.timestampMs(r.atMs);
  w.text(r.label);
  w.bool(r.flag);
  w.float8(r.ratio);
};

// What PostgreSQL stores from the binary rows is read back as text, so each value is checked by the server's own
// reading of it, not by a decoder of ours.
describe.runIf(serverUrl)('copyBinaryRows (PostgreSQL)', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: serverUrl, max: 1 });
  });
  afterAll(async () => {
    await pool.end();
  });

  async function roundTrip(rows: readonly Row[]) {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMP TABLE binary_copy (id bigint, amount bigint, at timestamptz, label text, flag boolean, ratio float8) ON COMMIT DROP');
      await copyBinaryRows(client, 'COPY binary_copy FROM STDIN WITH (FORMAT binary)', rows, encode);
      const { rows: stored } = await client.query<{ id: string | null; amount: string; at_ms: string; label: string | null; flag: boolean; ratio: string }>(
        `SELECT id::text AS id, amount::text AS amount, (extract(epoch FROM at) * 1000)::numeric(30, 3)::text AS at_ms, label, flag, ratio::text AS ratio
         FROM binary_copy`,
      );
      await client.query('ROLLBACK');
      return stored.map((row) => ({ ...row, ratio: Number(row.ratio) }));
    } catch (error) {
      failure = error as Error; // a connection that failed mid-COPY is closed, not reused
      throw error;
    } finally {
      client.release(failure);
    }
  }

  it('stores ids, amounts, times to the ms, text, flags and doubles as they were, the extremes included', async () => {
    const times = [
      0,
      -1,
      1,
      Date.UTC(2000, 0, 1),
      Date.UTC(2000, 0, 1) - 1,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(1969, 11, 31, 23, 0, 0, 5),
      253_402_300_799_999, // 9999-12-31T23:59:59.999Z
      Date.UTC(2300, 5, 1, 12, 0, 0, 7), // past the exact range of a double in microseconds: the BigInt path
    ];
    const rows: Row[] = [
      ...times.map((atMs, i) => ({ id: String(i + 1), amount: -i * 1_000_000_007, atMs, label: `t${i}`, flag: i % 2 === 0, ratio: i / 3 })),
      { id: '9223372036854775807', amount: Number.MAX_SAFE_INTEGER, atMs: 1, label: 'tab\there\nnewline \\ backslash', flag: true, ratio: 0.1 },
      { id: '123456789012345', amount: Number.MIN_SAFE_INTEGER, atMs: 2, label: 'Ünïcödé 한국어 العربية 🎉', flag: false, ratio: 5e-324 },
      { id: '1234567890123456', amount: 0, atMs: 3, label: '', flag: false, ratio: 0.9999999999999999 },
      { id: '18014398509481985', amount: 1, atMs: 5, label: '2^54 + 1: a double would round it', flag: false, ratio: -1e-7 },
      { id: null, amount: 4_294_967_296, atMs: 4, label: null, flag: true, ratio: 1 },
    ];
    const stored = await roundTrip(rows);
    expect(stored).toEqual(
      rows.map((r) => ({
        id: r.id,
        amount: String(r.amount),
        at_ms: `${r.atMs}.000`,
        label: r.label,
        flag: r.flag,
        ratio: r.ratio,
      })),
    );
  });

  it('sends many rows across chunk boundaries, each whole', async () => {
    const rows: Row[] = Array.from({ length: 30_000 }, (_, i) => ({
      id: String(5_000_000_000_000 + i),
      amount: i * 37,
      atMs: Date.UTC(2025, 0, 1) + i * 61_001,
      label: i % 3 === 0 ? null : 'x'.repeat(i % 50),
      flag: i % 7 === 0,
      ratio: i / 30_000,
    }));
    const stored = await roundTrip(rows);
    expect(stored.length).toBe(rows.length);
    for (let i = 0; i < rows.length; i += 997) {
      expect(stored[i]).toEqual({
        id: rows[i]!.id,
        amount: String(rows[i]!.amount),
        at_ms: `${rows[i]!.atMs}.000`,
        label: rows[i]!.label,
        flag: rows[i]!.flag,
        ratio: rows[i]!.ratio,
      });
    }
  });
});

describe('BinaryCopyWriter', () => {
  it('refuses an amount that is not a safe integer, rather than sending a rounded one', () => {
    const w = new BinaryCopyWriter();
    expect(() => w.int8(2 ** 53)).toThrow(RangeError);
    expect(() => w.int8(1.5)).toThrow(RangeError);
  });

  it('writes a row as its field count, then each field as a length and its bytes (-1: NULL)', () => {
    const w = new BinaryCopyWriter();
    w.row(4);
    w.int8(-2);
    w.bool(true);
    w.text('é');
    w.text(null);
    expect(Buffer.concat(w.take(true)).toString('hex')).toBe(
      ['0004', '00000008', 'fffffffffffffffe', '00000001', '01', '00000002', 'c3a9', 'ffffffff'].join(''),
    );
  });
});
