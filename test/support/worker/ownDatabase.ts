import { expect, inject } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import { runScheduledTick } from "./callWorker";

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
