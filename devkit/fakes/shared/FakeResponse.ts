/** A response a fake is about to send: always a finished string body, never a stream. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function createJsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function createEmptyResponse(status: number, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers, body: "" };
}

export function createHtmlResponse(status: number, html: string): FakeResponse {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body: html };
}

export function createRedirectResponse(location: string): FakeResponse {
  return { status: 302, headers: { location }, body: "" };
}
