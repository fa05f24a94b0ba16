import { mkdir } from "node:fs/promises";
import type { RunningPostgres } from "./postgres";

/** Enough for a `pg` or Neon pool or two; every connection shares the one PGlite session anyway. */
const maximumConnections = 64;

/**
 * Serves an embedded PGlite (Postgres compiled to WebAssembly) over the Postgres wire protocol on
 * 127.0.0.1, in memory or in `dataDirectory`. Limits, from @electric-sql/pglite-socket: PGlite has a
 * single database and a single backend session. The database name in a connection URL is ignored;
 * connections take turns query by query and while one is inside a transaction the others wait;
 * session state (SET, temporary tables, named prepared statements) is shared by all of them.
 */
export async function startPgliteServer(options: { dataDirectory?: string } = {}): Promise<RunningPostgres> {
  // Loaded on demand: the WebAssembly build is large and only needed when no real Postgres is around.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  // PGlite creates its own directory, but not the parents (`<data dir>/postgres/` on a first run).
  if (options.dataDirectory !== undefined) await mkdir(options.dataDirectory, { recursive: true });
  const database = await PGlite.create(options.dataDirectory);
  const server = new PGLiteSocketServer({
    db: database,
    host: "127.0.0.1",
    port: 0,
    maxConnections: maximumConnections,
  });
  try {
    await server.start();
  } catch (error) {
    await database.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    serverUrl: `postgres://postgres@${server.getServerConn()}/postgres`,
    stop() {
      stopping ??= (async () => {
        await server.stop();
        await database.close();
      })();
      return stopping;
    },
  };
}
