/**
 * Yields the lines of a streamed body one at a time, holding at most one network chunk plus one partial line in
 * memory, so a bulk-operation result of any size never sits in memory whole.
 */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n', start); nl !== -1; nl = rest.indexOf('\n', start)) {
      const line = rest.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield line;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield rest;
}
