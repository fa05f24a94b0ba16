/**
 * Throwaway Postgres databases for tests that talk to a real server. Each call creates a fresh,
 * uniquely named database, so test files can run in parallel against one server.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, dropDatabase } from "../../devkit/services/postgres";
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

/**
 * The Postgres server of this run: the one test/globalSetup.ts started or was pointed at
 * (DATABASE_URL), so a machine with no Postgres of its own still runs these tests.
 */
function resolveServerUrl(): string {
  return inject("postgresServerUrl");
}

/** Creates an empty database on the server of `serverUrl` (default: this run's server). */
export async function createTestDatabase(serverUrl: string = resolveServerUrl()): Promise<TestDatabase> {
  const name = `liveloot_test_${Date.now().toString(36)}_${randomBytes(5).toString("hex")}`;
  const url = await createDatabase(serverUrl, name);
  let dropped = false;
  return {
    url,
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await waitForClientsToLeave(serverUrl, name);
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
 * Gives clients that are closing a moment to leave (a pool's `end()` resolves before its sockets
 * are gone), so the forced drop only ends connections really left open; ending one that is
 * closing surfaces as an uncaught "terminating connection" error in the test that owned it.
 */
async function waitForClientsToLeave(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const result = await client.query<{ count: number }>(
        "select count(*)::integer as count from pg_stat_activity where datname = $1",
        [name],
      );
      if ((result.rows[0]?.count ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
}
