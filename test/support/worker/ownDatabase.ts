import { afterAll, afterEach, expect, inject, vi } from "vitest";
import type { Database } from "../../../worker/db/Database";
import type { WorkerBindings } from "../../../worker/env";
import { runScheduledTick } from "./callWorker";
import { openTestDatabase } from "./testDatabase";

/**
 * The calling test file's own migrated database (test/globalSetup.ts makes one per file of
 * test/worker/integration, named after it). A file that runs ticks uses it: the tick draws every
 * due raffle of its database, so other files' raffles must not be there, nor its raffles elsewhere.
 */
export function ownDatabaseUrl(): string {
  const file = (expect.getState().testPath ?? "").split("/").pop() ?? "";
  const url = inject("ownDatabaseUrls")[file];
  if (url === undefined)
    throw new Error(`no database of its own for "${file}": only test/worker/integration files have one`);
  return url;
}

/** The scheduled handler on the calling file's own database (runScheduledTick, ownDatabaseUrl). */
export function runOwnTick(scheduledTime: number, overrides: Partial<WorkerBindings> = {}): Promise<void> {
  return runScheduledTick(scheduledTime, { DATABASE_URL: ownDatabaseUrl(), ...overrides });
}

/**
 * Opens `bindings`' database (the file's own, for a file that runs ticks), closes it after the
 * file, and after each test restores mocks and stops every raffle, so one test's raffles are not
 * drawn by the next one's ticks.
 */
export function useTickDatabase(bindings: Partial<WorkerBindings>): Database {
  const database = openTestDatabase(bindings);
  afterAll(() => database.close());
  afterEach(async () => {
    vi.restoreAllMocks();
    await database.query(
      "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where status <> 'stopped'",
    );
  });
  return database;
}
