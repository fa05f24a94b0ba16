/** Postgres error fields the Neon driver (like node-postgres) exposes on its errors. */
export interface DatabaseErrorFields {
  code: string;
  column: string | undefined;
  constraint: string | undefined;
}

export function readDatabaseError(error: unknown): DatabaseErrorFields | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = error.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const column = "column" in error && typeof error.column === "string" ? error.column : undefined;
  const constraint = "constraint" in error && typeof error.constraint === "string" ? error.constraint : undefined;
  return { code, column, constraint };
}

export const PostgresCode = {
  uniqueViolation: "23505",
  checkViolation: "23514",
  invalidParameterValue: "22023",
  foreignKeyViolation: "23503",
  /** A server limit of 0017_server_limits.sql (its name in `constraint`). */
  programLimitExceeded: "54000",
} as const;
