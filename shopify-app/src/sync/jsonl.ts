/**
 * Yields the non-blank lines of a streamed body, a network chunk's worth at a time, holding at most one chunk plus one
 * partial line in memory, so a bulk-operation result of any size never sits in memory whole. One array per chunk
 * rather than one `yield` per line: a 10M-order export has 30M lines, and a step of an async generator costs a
 * promise and a turn of the microtask queue each.
 */
export async function* readLineBatches(body: ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    for (let nl = rest.indexOf('\n', start); nl !== -1; nl = rest.indexOf('\n', start)) {
      const line = rest.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') lines.push(line);
    }
    rest = rest.slice(start);
    if (lines.length > 0) yield lines;
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield [rest];
}
