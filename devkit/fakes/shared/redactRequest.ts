import { describeSecret } from "./describeSecret";
import type { FakeRequest } from "./FakeRequest";

/** Body fields that carry a credential in the Twitch and Discord wire formats. */
const secretFieldNames = new Set(["client_secret", "code", "refresh_token", "access_token", "token", "secret"]);

export interface RedactedRequest {
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Copies what a call record keeps of a request, with every credential replaced by its
 * description: the Authorization header (scheme kept), secret body fields, and the path
 * segments the fake marks as secret (Discord interaction tokens).
 */
export async function redactRequest(
  request: FakeRequest,
  secretPathSegments: readonly string[],
): Promise<RedactedRequest> {
  let path = request.path;
  for (const segment of secretPathSegments) {
    path = path.split(`/${segment}`).join(`/${await describeSecret(segment)}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = name === "authorization" ? await redactAuthorization(value) : value;
  }
  const query: Record<string, string[]> = {};
  for (const [name, value] of request.query) {
    const redacted = secretFieldNames.has(name) ? await describeSecret(value) : value;
    query[name] = [...(query[name] ?? []), redacted];
  }
  return { path, query, headers, body: await redactBody(request) };
}

async function redactAuthorization(value: string): Promise<string> {
  const separator = value.indexOf(" ");
  if (separator < 0) return describeSecret(value);
  return `${value.slice(0, separator)} ${await describeSecret(value.slice(separator + 1).trim())}`;
}

async function redactBody(request: FakeRequest): Promise<unknown> {
  if (request.bodyText === "") return null;
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.includes("application/x-www-form-urlencoded")) {
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(request.bodyText)) {
      fields[name] = secretFieldNames.has(name) ? await describeSecret(value) : value;
    }
    return fields;
  }
  try {
    return await redactJson(JSON.parse(request.bodyText));
  } catch {
    return request.bodyText;
  }
}

async function redactJson(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((item) => redactJson(item)));
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    copy[name] =
      secretFieldNames.has(name) && typeof field === "string" ? await describeSecret(field) : await redactJson(field);
  }
  return copy;
}
