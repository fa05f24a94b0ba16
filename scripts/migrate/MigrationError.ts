/** A migration run refused or failed; `filename` names the SQL file at fault when there is one. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  readonly filename: string | undefined;

  constructor(message: string, options: { filename?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.filename = options.filename;
  }
}
