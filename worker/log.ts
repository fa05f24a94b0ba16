/** Structured JSON log lines. Callers pass ids and outcomes, never tokens or secrets. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
/** Fields for a warning or error line: `error` may be anything thrown; only a short description is kept. */
export type ErrorLogFields = { [name: string]: unknown; error?: unknown };

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: ErrorLogFields): void;
  error(message: string, fields?: ErrorLogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(context: LogFields = {}): Logger {
  const write = (level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) => {
    const line: Record<string, unknown> = { level, message, ...context };
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      // Errors and events serialize to "{}" in JSON; `error` is described whatever it holds.
      line[name] = name === "error" || isThrowable(value) ? describeError(value) : value;
    }
    const text = JSON.stringify(line);
    if (level === "error") console.error(text);
    else if (level === "warn") console.warn(text);
    else console.log(text);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...context, ...fields }),
  };
}

/** Longest description kept, so one odd value cannot flood a log line. */
const maximumDescriptionLength = 1000;

/**
 * A thrown value as one short line, credentials masked. An Error gives its name and message
 * (stacks and causes can carry request data); an ErrorEvent (workerd's WebSocket errors, e.g.
 * from the Neon driver) its message and its inner error's; any other object its message, or
 * its JSON with secret-looking fields hidden; never "[object Object]".
 */
export function describeError(error: unknown): string {
  const text = summarizeThrown(error, 0);
  const clipped = text.length > maximumDescriptionLength ? `${text.slice(0, maximumDescriptionLength)}…` : text;
  return maskCredentials(clipped);
}

function summarizeThrown(value: unknown, depth: number): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value !== "object" || value === null) return String(value);
  const name = readName(value);
  const message = readString(value, "message");
  const inner = depth < 2 && "error" in value ? (value as { error: unknown }).error : undefined;
  const innerText = inner === undefined || inner === null ? undefined : summarizeThrown(inner, depth + 1);
  if (message) {
    const head = `${name}: ${message}`;
    return innerText && !innerText.endsWith(message) ? `${head} (${innerText})` : head;
  }
  if (innerText) return `${name}: ${innerText}`;
  if (typeof Event !== "undefined" && value instanceof Event) return `${name}: ${value.type}`;
  return `${name}: ${serializeWithoutSecrets(value)}`;
}

function readName(value: object): string {
  const named = readString(value, "name");
  if (named) return named;
  const constructorName = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === "string" && constructorName !== "" ? constructorName : "Object";
}

function readString(value: object, key: string): string | undefined {
  try {
    const field = (value as Record<string, unknown>)[key];
    return typeof field === "string" && field !== "" ? field : undefined;
  } catch {
    return undefined;
  }
}

const secretLookingKey = /token|secret|password|passwd|authorization|cookie|signature|credential|api[-_]?key|^key$/i;

/** JSON of a plain thrown object, with values under secret-looking keys replaced by "***". */
function serializeWithoutSecrets(value: object): string {
  try {
    return (
      JSON.stringify(value, (key, field: unknown) => (key !== "" && secretLookingKey.test(key) ? "***" : field)) ??
      String(value)
    );
  } catch {
    return "(not serializable)";
  }
}

function isThrowable(value: unknown): boolean {
  return value instanceof Error || (typeof Event !== "undefined" && value instanceof Event);
}

/** Masks the user:password part of URLs and anything after a Bearer/Bot/OAuth scheme. */
export function maskCredentials(text: string): string {
  return text.replace(/(\w+:\/\/)[^\s/@]+@/g, "$1***@").replace(/\b(Bearer|Bot|OAuth)\s+[^\s"',]+/gi, "$1 ***");
}
