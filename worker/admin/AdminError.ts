/** One place in a request that failed validation: `query.limit`, `body.type`, `path.guild`. */
export interface AdminIssue {
  path: string;
  message: string;
}

/**
 * Every /admin error has one shape: `{ "error": { "code", "message", "issues"? } }`. Thrown by
 * handlers, turned into the response once in handleAdmin.
 */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: AdminIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AdminError";
  }

  toResponse(): Response {
    const error = { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
    return Response.json({ error }, { status: this.status, headers: { "cache-control": "no-store", ...this.headers } });
  }
}
