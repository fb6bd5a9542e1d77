import { describe, expect, it } from 'vitest';
import { readLineBatches } from './jsonl.ts';

/** `bytes` as a stream of chunks of `size` bytes (the last one shorter). */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

async function linesOf(body: ReadableStream<Uint8Array>): Promise<{ lines: string[]; batches: number }> {
  const lines: string[] = [];
  let batches = 0;
  for await (const batch of readLineBatches(body)) {
    expect(batch.length).toBeGreaterThan(0);
    batches++;
    lines.push(...batch);
  }
  return { lines, batches };
}

describe('readLineBatches', () => {
  const text =
    '{"id":"gid://shopify/Order/1","note":"café ☕ 한국어"}\n\n  \n{"id":"gid://shopify/LineItem/2","__parentId":"gid://shopify/Order/1"}\r\n{"a":"ع"}';
  const expected = [
    '{"id":"gid://shopify/Order/1","note":"café ☕ 한국어"}',
    '{"id":"gid://shopify/LineItem/2","__parentId":"gid://shopify/Order/1"}\r',
    '{"a":"ع"}',
  ];

  it('yields every non-blank line once, in order, whatever the chunks cut (multi-byte characters included)', async () => {
    const bytes = new TextEncoder().encode(text);
    for (let size = 1; size <= bytes.length; size++) {
      expect((await linesOf(streamOf(bytes, size))).lines, `chunks of ${size} bytes`).toEqual(expected);
    }
  });

  it("yields a chunk's lines together, and nothing for an empty body", async () => {
    const bytes = new TextEncoder().encode(`${text}\n`);
    expect(await linesOf(streamOf(bytes, bytes.length))).toEqual({ lines: expected, batches: 1 });
    expect(await linesOf(streamOf(new Uint8Array(0), 1))).toEqual({ lines: [], batches: 0 });
  });
});
