// No Node imports: used by the control clients, which also run inside workerd.

/**
 * How a secret appears in call records: `redacted:sha256:` and the first 12 hex digits of its
 * SHA-256, so a test can match a record to a token it holds without the fake storing the token.
 */
export async function describeSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `redacted:sha256:${hex.slice(0, 12)}`;
}
