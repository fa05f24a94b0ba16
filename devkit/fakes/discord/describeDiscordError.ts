// No imports: used by `discordControl.ts`, which runs inside workerd too.

/**
 * Discord's error body in words, one entry per problem:
 * `data.components.0.components.0.url: Must be 512 or fewer in length. (BASE_TYPE_MAX_LENGTH)`.
 */
export function describeDiscordError(body: unknown): string[] {
  if (body === null || typeof body !== "object") return [String(body)];
  const { message, code, errors, fakeError } = body as {
    message?: unknown;
    code?: unknown;
    errors?: unknown;
    fakeError?: unknown;
  };
  const problems: string[] = [];
  collectErrors(errors, [], problems);
  if (problems.length > 0) return problems;
  const summary = `${String(message ?? "error")} (code ${String(code ?? "?")})`;
  return [typeof fakeError === "string" ? `${summary}: ${fakeError}` : summary];
}

function collectErrors(node: unknown, path: string[], problems: string[]): void {
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "_errors" && Array.isArray(value)) {
      for (const entry of value as { code?: unknown; message?: unknown }[]) {
        const where = path.length === 0 ? "(body)" : path.join(".");
        problems.push(`${where}: ${String(entry.message)} (${String(entry.code)})`);
      }
    } else {
      collectErrors(value, [...path, key], problems);
    }
  }
}
