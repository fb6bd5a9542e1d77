import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';
import type { ImportResultV1 } from './import-store.ts';

const SHOP = 'survey-shop.myshopify.com';
const OTHER = 'other-survey-shop.myshopify.com';
const NOW = Date.parse('2026-11-20T12:00:00Z');

const SURVEYS = [
  'type,score,date,customer_id,email,comment',
  'nps,10,2026-09-03,101,,great',
  'nps,9,2026-09-10,,,',
  'nps,3,2026-10-01,,ana@example.com,slow delivery',
  'csat,5,2026-10-02,102,,',
  'csat,2,2026-10-02,,,',
  // Two identical answers in one file are two answers.
  'nps,7,,,,',
  'nps,7,,,,',
].join('\n');

describe('survey and spend imports (POST /app/api/imports/*)', () => {
  let t: TestHttpServer;
  const upload = async (kind: 'surveys' | 'spend', csv: string, fileName: string, shop = SHOP): Promise<Response> =>
    t.dashboard(shop, `/app/api/imports/${kind}?fileName=${encodeURIComponent(fileName)}`, {
      method: 'POST',
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
  const responses = async (shop = SHOP) =>
    (
      await t.database.db
        .selectFrom('survey_responses')
        .select(['kind', 'score', 'month', 'customer_id', 'email_key'])
        .where('shop_id', '=', shop)
        .orderBy('response_key')
        .execute()
    ).map((r) => ({ ...r, customer_id: r.customer_id === null ? null : String(r.customer_id) }));

  beforeAll(async () => {
    t = await startTestHttpServer({ clock: { now: () => NOW } });
    await t.installShop(SHOP, 'USD');
    await t.installShop(OTHER, 'JPY');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('stores every valid answer once, with its month, customer and the HMAC of its email (never the address)', async () => {
    const res = await upload('surveys', SURVEYS, 'september.csv');
    expect(res.status).toBe(200);
    const result = (await res.json()) as ImportResultV1;
    expect(result).toMatchObject({ kind: 'surveys', fileName: 'september.csv', rowsRead: 7, rowsAdded: 7, rowsRejected: 0, errors: [] });
    const rows = await responses();
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.month === '2026-11').map((r) => r.score)).toEqual([7, 7]);
    expect(rows.find((r) => r.customer_id === '101')).toMatchObject({ kind: 'nps', score: 10, month: '2026-09' });
    const withEmail = rows.filter((r) => r.email_key !== null);
    expect(withEmail).toHaveLength(1);
    expect(withEmail[0]!.email_key).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify(await t.database.db.selectFrom('survey_responses').selectAll().execute());
    expect(dump).not.toContain('ana@example.com');
  });

  it('adds nothing when the same file is uploaded again, and only the new rows of a longer file', async () => {
    const again = (await (await upload('surveys', SURVEYS, 'september.csv')).json()) as ImportResultV1;
    expect(again).toMatchObject({ rowsRead: 7, rowsAdded: 0, rowsRejected: 0 });
    const longer = (await (await upload('surveys', `${SURVEYS}\ncsat,4,2026-11-02,,,`, 'september-v2.csv')).json()) as ImportResultV1;
    expect(longer).toMatchObject({ rowsRead: 8, rowsAdded: 1 });
    expect(await responses()).toHaveLength(8);
  });

  it('rejects bad rows with the CLI’s message naming line and field, and stores the good ones', async () => {
    const csv = ['type,score,date', 'nps,11,2026-10-01', 'nps,8,2026-10-01', 'promoter,9,2026-10-01', 'csat,4,Oct 1', 'csat,4,2026-10-05'].join('\n');
    const res = await upload('surveys', csv, 'bad.csv', OTHER);
    expect(res.status).toBe(200);
    const result = (await res.json()) as ImportResultV1;
    expect(result).toMatchObject({ rowsRead: 5, rowsAdded: 2, rowsRejected: 3 });
    expect(result.errors).toEqual([
      {
        line: 2,
        column: 2,
        field: 'score',
        message: 'bad.csv:2:2 (field "score"): "11" is not a whole NPS score from 0 to 10.',
        problem: { reason: 'survey-score', value: '11', params: { type: 'NPS', min: 0, max: 10 } },
      },
      {
        line: 4,
        column: 1,
        field: 'type',
        message: 'bad.csv:4:1 (field "type"): "promoter" is not a survey type: use "nps" or "csat".',
        problem: { reason: 'survey-type', value: 'promoter' },
      },
      {
        line: 5,
        column: null,
        field: 'date',
        message: 'bad.csv:5 (field "date"): "Oct 1" is not a date like 2025-10-02.',
        problem: { reason: 'date', value: 'Oct 1' },
      },
    ]);
    expect((await responses(OTHER)).map((r) => r.score).sort()).toEqual([4, 8]);
    const history = (await (await t.dashboard(OTHER, '/app/api/imports')).json()) as { imports: ImportResultV1[] };
    expect(history.imports[0]).toMatchObject({ fileName: 'bad.csv', rowsRejected: 3 });
  });

  it('refuses a file without the required columns with the CLI’s message, storing nothing', async () => {
    const res = await upload('surveys', 'kind,value\nnps,9', 'wrong.csv', OTHER);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad-request');
    expect(body.error.message).toContain('wrong.csv:1');
    expect(body.error.message).toContain('"type", "score"');
  });

  it('takes the dashboard’s JSON body too', async () => {
    const res = await t.dashboard(SHOP, '/app/api/imports/surveys', {
      method: 'POST',
      body: JSON.stringify({ fileName: 'C:\\Users\\me\\json.csv', csv: 'type,score\ncsat,3' }),
      headers: { 'content-type': 'application/json' },
    });
    expect((await res.json()) as ImportResultV1).toMatchObject({ fileName: 'json.csv', rowsAdded: 1 });
  });

  it('sets each month of a spend file, sums a month listed twice, changes nothing on re-upload, and corrects', async () => {
    const spend = 'month,amount,currency\n2026-08,1000.00,USD\n2026-09,250.50,\n2026-09,249.50,USD\n2026-10,12.345,USD\n2026-13,5,USD\n2026-10,80,EUR';
    const first = (await (await upload('spend', spend, 'spend.csv')).json()) as ImportResultV1;
    expect(first).toMatchObject({ rowsRead: 6, rowsAdded: 2, rowsRejected: 3 });
    expect(first.errors.map((e) => [e.line, e.field])).toEqual([
      [5, 'amount'],
      [6, 'month'],
      [7, 'currency'],
    ]);
    expect(first.errors[0]!.message).toBe('spend.csv:5:2 (field "amount"): "12.345" has more decimals than USD allows.');
    expect(first.errors.map((e) => e.problem)).toEqual([
      { reason: 'amount-too-many-decimals', value: '12.345', params: { currency: 'USD' } },
      { reason: 'month', value: '2026-13' },
      { reason: 'other-currency', value: 'EUR', params: { currency: 'USD' } },
    ]);
    const stored = async () =>
      (await t.database.db.selectFrom('marketing_spend').select(['month', 'amount_minor']).where('shop_id', '=', SHOP).orderBy('month').execute()).map((r) => [
        r.month,
        Number(r.amount_minor),
      ]);
    expect(await stored()).toEqual([
      ['2026-08', 100_000],
      ['2026-09', 50_000],
    ]);
    expect(((await (await upload('spend', spend, 'spend.csv')).json()) as ImportResultV1).rowsAdded).toBe(0);
    expect(((await (await upload('spend', 'month,amount\n2026-09,600', 'fix.csv')).json()) as ImportResultV1).rowsAdded).toBe(1);
    expect(await stored()).toEqual([
      ['2026-08', 100_000],
      ['2026-09', 60_000],
    ]);
  });

  it('accepts uploads from a script with the paired extension’s token (POST /api/v1/imports/*)', async () => {
    const { code } = await t.server.app.createPairingCode(SHOP);
    const pair = await fetch(`${t.url}/api/v1/pair`, { method: 'POST', body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } });
    const { token } = (await pair.json()) as { token: string };
    const res = await fetch(`${t.url}/api/v1/imports/surveys?fileName=nightly.csv`, {
      method: 'POST',
      body: 'type,score\nnps,10\nnps,10',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    });
    expect((await res.json()) as ImportResultV1).toMatchObject({ fileName: 'nightly.csv', rowsAdded: 2 });
    const anonymous = await fetch(`${t.url}/api/v1/imports/surveys`, { method: 'POST', body: 'type,score\nnps,1', headers: { 'content-type': 'text/csv' } });
    expect(anonymous.status).toBe(401);
  });

  it('hands a customer’s answers over on customers/data_request, found by id or by email', async () => {
    expect((await t.webhook(SHOP, 'customers/data_request', { shop_domain: SHOP, customer: { id: 101 }, data_request: { id: 71 } })).status).toBe(200);
    expect(
      (await t.webhook(SHOP, 'customers/data_request', { shop_domain: SHOP, customer: { email: 'Ana@Example.com' }, data_request: { id: 72 } })).status,
    ).toBe(200);
    const exports = (await (await t.dashboard(SHOP, '/app/api/data-requests')).json()) as { requestId: string; data: { surveyResponses: unknown } }[];
    expect(exports.find((e) => e.requestId === '71')!.data.surveyResponses).toEqual([{ type: 'nps', score: 10, month: '2026-09' }]);
    expect(exports.find((e) => e.requestId === '72')!.data.surveyResponses).toEqual([{ type: 'nps', score: 3, month: '2026-10' }]);
  });

  it('forgets a customer’s answers on customers/redact, by id and by email', async () => {
    const before = await responses();
    expect(before.some((r) => r.customer_id === '101')).toBe(true);
    expect((await t.webhook(SHOP, 'customers/redact', { shop_domain: SHOP, customer: { id: 101 }, orders_to_redact: [] })).status).toBe(200);
    expect((await t.webhook(SHOP, 'customers/redact', { shop_domain: SHOP, customer: { email: 'ANA@example.com' }, orders_to_redact: [] })).status).toBe(200);
    const after = await responses();
    expect(after).toHaveLength(before.length - 2);
    expect(after.some((r) => r.customer_id === '101' || r.email_key !== null)).toBe(false);
  });
});
