/** The connection string with its password (and any password parameter) replaced, for logs. */
export function redactDatabaseUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return "(unparsable DATABASE_URL)";
  }
  if (url.password !== "") url.password = "***";
  for (const name of ["password", "sslpassword"]) {
    if (url.searchParams.has(name)) url.searchParams.set(name, "***");
  }
  return url.toString();
}
