import { createEmptyResponse, type FakeResponse } from "../shared/FakeResponse";

/** drand relays answer errors as plain text (Go's `http.Error`). */
export function createDrandTextResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    ...createEmptyResponse(status, {
      "content-type": "text/plain; charset=utf-8",
      "x-content-type-options": "nosniff",
      ...headers,
    }),
    body: `${message}\n`,
  };
}
