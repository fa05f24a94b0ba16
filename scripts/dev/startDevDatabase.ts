import pg from "pg";
import { createDatabase, type PostgresKind, replaceDatabaseName, startPostgres } from "../../devkit/services/postgres";

/** Where the dev stack's database comes from. */
export type DevDatabaseOptions =
  /** A database we are given (`DATABASE_URL`, or a test's database): used as is, never dropped. */
  | { source: "existing"; databaseUrl: string }
  /** A Postgres we start whose data is kept in `dataDirectory` across runs: `npm run dev`. */
  | { source: "kept"; dataDirectory: string; databaseName: string };

export interface DevDatabase {
  databaseUrl: string;
  /** `configured` for a database we were given. */
  kind: PostgresKind;
  /** Whether it is on this machine, so the Worker needs the local wsproxy (`NEON_WS_PROXY`). */
  isLocal: boolean;
  stop(): Promise<void>;
}

/** Finds or starts the Postgres database for `npm run dev`; migrations are the caller's. */
export async function startDevDatabase(options: DevDatabaseOptions): Promise<DevDatabase> {
  if (options.source === "existing") {
    return {
      databaseUrl: options.databaseUrl,
      kind: "configured",
      isLocal: isLoopbackUrl(options.databaseUrl),
      stop: async () => {},
    };
  }
  const server = await startPostgres({ dataDirectory: options.dataDirectory });
  try {
    if (server.kind === "pglite") {
      // PGlite has one database and ignores the name in the URL.
      return {
        databaseUrl: replaceDatabaseName(server.serverUrl, options.databaseName),
        kind: server.kind,
        isLocal: true,
        stop: server.stop,
      };
    }
    const databaseUrl = await ensureDatabase(server.serverUrl, options.databaseName);
    return { databaseUrl, kind: server.kind, isLocal: true, stop: server.stop };
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}

/** The kept cluster's database: created on the first run, reused after. */
async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const existing = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (existing.rowCount === 0) return await createDatabase(serverUrl, name);
    return replaceDatabaseName(serverUrl, name);
  } finally {
    await client.end().catch(() => {});
  }
}

function isLoopbackUrl(databaseUrl: string): boolean {
  try {
    const host = new URL(databaseUrl).hostname;
    return host === "localhost" || host === "[::1]" || host.startsWith("127.");
  } catch {
    return false;
  }
}
