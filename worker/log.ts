/** Structured JSON log lines. Callers pass ids and outcomes, never tokens or secrets. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
/** Fields for an error line: `error` may be anything thrown; only its name and message are kept. */
export type ErrorLogFields = { [name: string]: unknown; error?: unknown };

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: ErrorLogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(context: LogFields = {}): Logger {
  const write = (level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) => {
    const { error, ...rest } = fields;
    const line: Record<string, unknown> = { level, message, ...context, ...rest };
    if (error !== undefined) line.error = describeError(error);
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

/** Error name and message only (stacks and causes can carry request data), credentials masked. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return maskCredentials(text);
}

/** Masks the user:password part of URLs and anything after a Bearer/Bot/OAuth scheme. */
export function maskCredentials(text: string): string {
  return text.replace(/(\w+:\/\/)[^\s/@]+@/g, "$1***@").replace(/\b(Bearer|Bot|OAuth)\s+[^\s"',]+/gi, "$1 ***");
}
