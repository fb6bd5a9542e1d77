import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_FIXTURE_PATH, writeSampleExport } from './sample-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'clvlens-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSampleExport', () => {
  it('regenerates the bundled sample export byte for byte (else run `pnpm --filter @clvlens/cli run fixture`)', async () => {
    const path = join(dir, 'sample.csv');
    await writeSampleExport(path);
    expect(readFileSync(path, 'utf8') === readFileSync(SAMPLE_FIXTURE_PATH, 'utf8')).toBe(true);
  });
});
