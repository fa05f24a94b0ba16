import { neonConfig, Pool, type PoolClient } from "@neondatabase/serverless";
import type { Config } from "../env";

/** A row-returning query surface shared by the pool and a transaction's client. */
export interface Queryable {
  query<Row extends object>(text: string, values?: unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  transaction<Result>(work: (client: Queryable) => Promise<Result>): Promise<Result>;
  /** Ends the pool if it was opened. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * A Postgres connection for one request or tick. Workers cannot keep sockets across
 * requests, so the pool is opened lazily on first use and closed by the caller through
 * `ctx.waitUntil(database.close())`.
 */
export function createDatabase(config: Pick<Config, "databaseUrl" | "neonWebSocketProxy">): Database {
  let pool: Pool | undefined;

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
    async query<Row extends object>(text: string, values: unknown[] = []) {
      const result = await openPool().query(text, values);
      return result.rows as Row[];
    },
    async transaction<Result>(work: (client: Queryable) => Promise<Result>) {
      const client = await openPool().connect();
      try {
        await client.query("begin");
        const result = await work(wrapClient(client));
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      const open = pool;
      pool = undefined;
      if (open) await open.end().catch(() => {});
    },
  };
}

function wrapClient(client: PoolClient): Queryable {
  return {
    async query<Row extends object>(text: string, values: unknown[] = []) {
      const result = await client.query(text, values);
      return result.rows as Row[];
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
