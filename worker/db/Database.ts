import { neonConfig, Pool } from "@neondatabase/serverless";
import type { Config } from "../env";

/** A row-returning query surface: what every query module takes. */
export interface Queryable {
  query<Row extends object>(text: string, values?: unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  /** Ends the pool if it was opened. Safe to call more than once. */
  close(): Promise<void>;
  /** Statements sent so far (each one database round trip): logged per tick, measured by bench/tick.ts. */
  readonly queryCount: number;
}

/**
 * A Postgres connection for one request or tick. Workers cannot keep sockets across
 * requests, so the pool is opened lazily on first use and closed by the caller through
 * `ctx.waitUntil(database.close())`.
 */
export function createDatabase(config: Pick<Config, "databaseUrl" | "neonWebSocketProxy">): Database {
  let pool: Pool | undefined;
  let queryCount = 0;

  const openPool = (): Pool => {
    if (pool) return pool;
    configureNeon(config.neonWebSocketProxy);
    pool = new Pool({ connectionString: config.databaseUrl, max: 5, connectionTimeoutMillis: 5_000 });
    // Closing a pool surfaces "Network connection lost" as an error event; without a
    // listener it would become an unhandled error that fails the invocation.
    pool.on("error", () => {});
    return pool;
  };

  return {
    get queryCount() {
      return queryCount;
    },
    async query<Row extends object>(text: string, values: unknown[] = []) {
      queryCount += 1;
      const result = await openPool().query(text, values);
      return result.rows as Row[];
    },
    async close() {
      const open = pool;
      pool = undefined;
      if (open) await open.end().catch(() => {});
    },
  };
}

// A local Postgres has no Neon proxy in front of it: a plain WebSocket-to-TCP proxy
// (NEON_WS_PROXY) stands in, without TLS and without pipelined password auth.
function configureNeon(webSocketProxy: string | undefined): void {
  if (!webSocketProxy) return;
  neonConfig.wsProxy = webSocketProxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.forceDisablePgSSL = true;
}
