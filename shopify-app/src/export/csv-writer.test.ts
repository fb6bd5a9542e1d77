import { describe, expect, it } from 'vitest';
import { createCsvStream, csvField, csvRecord, UTF8_BOM, type CsvCell } from './csv-writer.ts';

describe('csvField', () => {
  it('prefixes text that a spreadsheet would run as a formula with an apostrophe', () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvField('+1 555')).toBe("'+1 555");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves ordinary text, Korean and Arabic as they are, and quotes commas, quotes and line breaks', () => {
    expect(csvField('Kim Minji')).toBe('Kim Minji');
    expect(csvField('김민지')).toBe('김민지');
    expect(csvField('محمد العلي')).toBe('محمد العلي');
    expect(csvField('Smith, Jane')).toBe('"Smith, Jane"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes numbers in plain decimal notation, negative ones without escaping, and null as empty', () => {
    expect(csvField(404.95)).toBe('404.95');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(0.1234)).toBe('0.1234');
    expect(csvField(null)).toBe('');
    expect(() => csvField(Number.NaN)).toThrow(RangeError);
  });
});

describe('csvRecord', () => {
  it('joins fields with commas and ends the record in CRLF', () => {
    expect(csvRecord(['1', 'a,b', 2, null])).toBe('1,"a,b",2,\r\n');
  });
});

describe('createCsvStream', () => {
  const read = async (stream: ReadableStream<Uint8Array>): Promise<Uint8Array> => new Uint8Array(await new Response(stream).arrayBuffer());

  it('starts with the UTF-8 BOM and the header, then the rows, in UTF-8', async () => {
    const batches: CsvCell[][][] = [[['1', '김민지', 3]], [['2', '=cmd', 4.5]]];
    const bytes = await read(createCsvStream(['고객 ID', 'الاسم', 'n'], async () => batches.shift() ?? null));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text).toBe(`${UTF8_BOM}고객 ID,الاسم,n\r\n1,김민지,3\r\n2,'=cmd,4.5\r\n`);
  });

  it('asks for the next batch only when the reader wants more', async () => {
    let asked = 0;
    const stream = createCsvStream(['id'], async () => (++asked > 1000 ? null : [[asked]]));
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    await new Promise((r) => setTimeout(r, 20));
    // The header, one batch read, at most one batch queued ahead: never the 1000 batches at once.
    expect(asked).toBeLessThanOrEqual(3);
    await reader.cancel();
    const after = asked;
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toBe(after);
  });
});
