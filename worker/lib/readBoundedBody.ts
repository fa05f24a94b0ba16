import { HttpError } from "../errors";

/**
 * The request body as UTF-8 text, refusing with 413 anything longer than `maximumBytes` before
 * holding more than that in memory: a Content-Length above the cap is refused before a byte is
 * read, and a body without one (chunked) is read chunk by chunk and cancelled once it passes the
 * cap. A signed endpoint verifies the signature over the raw body, so the whole body must be
 * read before anything else is known about it: this bounds that read.
 */
export async function readBoundedBody(request: Request, maximumBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  // An unreadable Content-Length is no promise either way: the read below still stops at the cap.
  if (declared !== null && Number(declared) > maximumBytes) {
    throw tooLarge(maximumBytes);
  }
  if (!request.body) return "";
  return new TextDecoder().decode(await readBoundedStream(request.body, maximumBytes, () => tooLarge(maximumBytes)));
}

/**
 * Every byte of `body`, read chunk by chunk and cancelled with `tooLarge()` as soon as it passes
 * `maximumBytes`: never more than the cap in memory, whatever the sender declared.
 */
export async function readBoundedStream(
  body: ReadableStream<Uint8Array>,
  maximumBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maximumBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maximumBytes: number): HttpError {
  return new HttpError(413, `Request body is larger than ${maximumBytes} bytes.`);
}
