import { join } from "node:path";
import pg from "pg";
import { startPgliteServer } from "./startPgliteServer";
import { startPostgresCluster } from "./startPostgresCluster";

/** A Postgres server that answers on `serverUrl` until `stop()`. */
export interface RunningPostgres {
  /** URL of the server's `postgres` database, e.g. `postgres://postgres@127.0.0.1:5432/postgres`. */
  serverUrl: string;
  stop(): Promise<void>;
}

/** Where the Postgres came from: given to us, a throwaway cluster, or embedded PGlite. */
export type PostgresKind = "configured" | "cluster" | "pglite";

export interface PostgresServer extends RunningPostgres {
  kind: PostgresKind;
}

export interface PostgresOptions {
  /** A server to use as is; it must answer `select 1`. */
  serverUrl?: string;
  /** Keep the data of a started server here (in `cluster/` or `pglite/`) instead of throwing it away. */
  dataDirectory?: string;
}

const databaseNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Finds a Postgres for local development and tests, in order: the configured server; a throwaway
 * cluster from the machine's Postgres binaries; embedded PGlite served over the wire protocol.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  if (options.serverUrl) {
    await withClient(options.serverUrl, (client) => client.query("select 1"));
    return { serverUrl: options.serverUrl, kind: "configured", stop: async () => {} };
  }
  // Each kind keeps its own subdirectory: their files are not compatible with each other.
  const dataDirectoryFor = (kind: PostgresKind) =>
    options.dataDirectory === undefined ? undefined : join(options.dataDirectory, kind);
  try {
    const cluster = await startPostgresCluster({ dataDirectory: dataDirectoryFor("cluster") });
    if (cluster !== undefined) return { ...cluster, kind: "cluster" };
  } catch (error) {
    console.warn(`Could not start a Postgres cluster, using PGlite instead: ${describeError(error)}`);
  }
  return { ...(await startPgliteServer({ dataDirectory: dataDirectoryFor("pglite") })), kind: "pglite" };
}

/** Creates an empty database on the server and returns its URL. */
export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const identifier = quoteDatabaseName(name);
  const copied = template === undefined ? "" : ` template ${quoteDatabaseName(template)}`;
  await withClient(serverUrl, (client) => client.query(`create database ${identifier}${copied}`));
  return replaceDatabaseName(serverUrl, name);
}

/** Drops the database if it exists, terminating the connections still open to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const identifier = quoteDatabaseName(name);
  await withClient(serverUrl, (client) => client.query(`drop database if exists ${identifier} with (force)`));
}

/** The same server URL pointing at another database. */
export function replaceDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

function quoteDatabaseName(name: string): string {
  // Names come from our own callers, but a database name cannot be a query parameter.
  if (!databaseNamePattern.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use letters, digits and _ (at most 63)`);
  }
  return `"${name}"`;
}

async function withClient<Result>(serverUrl: string, use: (client: pg.Client) => Promise<Result>): Promise<Result> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {
    // The server may close an idle admin connection; the awaited query reports real failures.
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Postgres at ${redactPassword(serverUrl)} did not answer: ${describeError(error)}`, {
      cause: error,
    });
  }
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function redactPassword(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return "(an unparseable URL)";
  }
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describeError).join("; ");
  return error instanceof Error ? error.message : String(error);
}
