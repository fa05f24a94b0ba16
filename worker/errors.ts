/** An error that already knows the HTTP response it should become. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;

  constructor(status: number, message: string, options: { body?: string; contentType?: string } = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.body = options.body ?? JSON.stringify({ error: message });
    this.contentType = options.contentType ?? "application/json; charset=utf-8";
  }

  toResponse(): Response {
    return new Response(this.body, { status: this.status, headers: { "content-type": this.contentType } });
  }
}

/** Raised when configuration is invalid: every route but /health answers 500. */
export class ConfigurationError extends HttpError {
  readonly invalidNames: string[];

  constructor(invalidNames: string[]) {
    super(500, "LiveLoot is not configured correctly; the operator has been told which settings to fix.");
    this.name = "ConfigurationError";
    this.invalidNames = invalidNames;
  }
}
