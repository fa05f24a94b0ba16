import { describe, expect, it } from "vitest";
import { HttpError } from "../../../worker/errors";
import { readBoundedBody } from "../../../worker/lib/readBoundedBody";

function chunkedRequest(chunks: string[], headers: Record<string, string> = {}) {
  let pulls = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[pulls];
      pulls += 1;
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
  return { request: new Request("https://liveloot.test/", { method: "POST", headers, body }), pulls: () => pulls };
}

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return error instanceof HttpError ? error.status : undefined;
}

describe("readBoundedBody", () => {
  it("refuses a Content-Length over the cap with 413 before reading a byte", async () => {
    const { request, pulls } = chunkedRequest(["{}"], { "content-length": "101" });
    expect(await statusOf(readBoundedBody(request, 100))).toBe(413);
    expect(pulls()).toBeLessThanOrEqual(1);
  });

  it("refuses a body that streams past the cap without Content-Length, and stops pulling", async () => {
    const { request, pulls } = chunkedRequest(Array.from({ length: 50 }, () => "x".repeat(40)));
    expect(await statusOf(readBoundedBody(request, 100))).toBe(413);
    expect(pulls()).toBeLessThan(10);
  });

  it("reads a body up to the cap exactly, as UTF-8 across chunk boundaries", async () => {
    const text = "é".repeat(50); // 100 bytes
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 51)); // splits a two-byte character
        controller.enqueue(bytes.slice(51));
        controller.close();
      },
    });
    expect(await readBoundedBody(new Request("https://liveloot.test/", { method: "POST", body }), 100)).toBe(text);
    const { request } = chunkedRequest(["é".repeat(50), "x"]);
    expect(await statusOf(readBoundedBody(request, 100))).toBe(413);
  });

  it("reads an empty body as an empty string", async () => {
    expect(await readBoundedBody(new Request("https://liveloot.test/", { method: "POST" }), 100)).toBe("");
  });
});
