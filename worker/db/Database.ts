import { type NeonQueryFunction, neon, neonConfig, Pool } from "@neondatabase/serverless";
import type { Config } from "../env";

/** One statement of a batch. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/** A row-returning query surface: what every query module takes. */
export interface Queryable {
  query<Row extends object>(text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * Several independent statements in one round trip where the transport allows it (Neon's HTTP
   * `transaction()`: one request, one read-committed transaction); each result in order.
   */
  batch(statements: Statement[]): Promise<object[][]>;
}

export interface Database extends Queryable {
  /** Ends the pool if it was opened. Safe to call more than once. */
  close(): Promise<void>;
  /** Statements sent so far (each one database round trip): logged per tick, measured by bench/tick.ts. */
  readonly queryCount: number;
}

/**
 * How a request or tick reaches Postgres:
 * - `http`: Neon's HTTP query path (`neon()`), one fetch per statement and no connection to open
 *   or close. Every database operation is one statement (the rules live in SQL functions), so
 *   this is what commands and pages use: their cost is their statements, not a connection.
 * - `websocket`: one pooled WebSocket session for the whole invocation. The tick and the queue
 *   consumer send many statements per invocation; over one socket that is one subrequest, where
 *   HTTP would spend one subrequest per statement of the Workers plan's budget.
 */
export type DatabaseTransport = "http" | "websocket";

type DatabaseSettings = Pick<Config, "databaseUrl" | "neonWebSocketProxy" | "neonHttpEndpoint">;

export function createDatabase(config: DatabaseSettings, transport: DatabaseTransport = "http"): Database {
  return transport === "http" ? createHttpDatabase(config) : createWebSocketDatabase(config);
}

function createHttpDatabase(config: DatabaseSettings): Database {
  let sql: NeonQueryFunction<false, false> | undefined;
  let queryCount = 0;
  const connect = (): NeonQueryFunction<false, false> => {
    if (sql) return sql;
    // Global, like the WebSocket settings below: one local endpoint per process at most.
    if (config.neonHttpEndpoint) neonConfig.fetchEndpoint = config.neonHttpEndpoint;
    sql = neon(config.databaseUrl);
    return sql;
  };
  return {
    get queryCount() {
      return queryCount;
    },
    async query<Row extends object>(text: string, values: unknown[] = []) {
      queryCount += 1;
      return (await connect().query(text, values)) as Row[];
    },
    async batch(statements) {
      if (statements.length === 0) return [];
      queryCount += 1;
      const client = connect();
      const results = await client.transaction(
        statements.map((statement) => client.query(statement.text, statement.values ?? [])),
      );
      return results as object[][];
    },
    async close() {
      // Nothing is held open between statements.
    },
  };
}

/**
 * A pooled WebSocket connection for one invocation. Workers cannot keep sockets across
 * invocations, so the pool is opened lazily on first use and closed by the caller through
 * `ctx.waitUntil(database.close())`.
 */
function createWebSocketDatabase(config: DatabaseSettings): Database {
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
    async batch(statements) {
      // A session pays per statement anyway: one after the other, on the open socket.
      const results: object[][] = [];
      for (const statement of statements) {
        queryCount += 1;
        results.push((await openPool().query(statement.text, statement.values ?? [])).rows as object[]);
      }
      return results;
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
