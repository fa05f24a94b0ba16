import type { CallRecord } from "./controlSchemas";

/** The text `contains` filters search: redacted path, query, body and the Client-Id header. */
export function describeSearchableText(record: Pick<CallRecord, "path" | "query" | "body" | "headers">): string {
  return [
    record.path,
    JSON.stringify(record.query),
    JSON.stringify(record.body),
    record.headers["client-id"] ?? "",
  ].join(" ");
}
