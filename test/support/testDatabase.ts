/**
 * Throwaway Postgres databases for tests that talk to a real server. Each call creates a fresh,
 * uniquely named database, so test files can run in parallel against one server.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type MigrateResult, migrate } from "../../scripts/migrate";

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  name: string;
  /** Drops the database, disconnecting anyone still connected. Safe to call twice. */
  drop(): Promise<void>;
}

export interface MigratedTestDatabase extends TestDatabase {
  migration: MigrateResult;
}

const defaultServerUrl = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Creates an empty database on the server of `serverUrl` (default: `DATABASE_URL`, whose
 * database is only used to connect, else local Postgres on 127.0.0.1:5432).
 */
export async function createTestDatabase(
  serverUrl: string = process.env.DATABASE_URL || defaultServerUrl,
): Promise<TestDatabase> {
  // Lower-case letters, digits and underscores only, so the name needs no quoting rules.
  const name = `liveloot_test_${Date.now().toString(36)}_${randomBytes(5).toString("hex")}`;
  await runOnServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await dropDatabase(serverUrl, name);
    },
  };
}

/** A fresh database with `sql/` applied by the real migrator. */
export async function createMigratedTestDatabase(serverUrl?: string): Promise<MigratedTestDatabase> {
  const database = await createTestDatabase(serverUrl);
  try {
    const migration = await migrate({ databaseUrl: database.url });
    return { ...database, migration };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** Runs one parameterized statement on its own short-lived connection and returns the rows. */
export async function queryDatabase<Row extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Gives clients that are closing (a pool's `end()` resolves before its sockets are gone) a moment
 * to leave, so `with (force)` only ends connections that were really left open; ending a
 * closing one would surface as an uncaught "terminating connection" error in the test.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const result = await client.query<{ count: number }>(
        "select count(*)::integer as count from pg_stat_activity where datname = $1",
        [name],
      );
      if ((result.rows[0]?.count ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

async function runOnServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
