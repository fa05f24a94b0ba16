import { createDatabase, type Database } from "../../../worker/db/Database";
import { readConfig, type WorkerBindings } from "../../../worker/env";
import { testEnvironment } from "./callWorker";

/** The run's migrated database, reached the way the Worker reaches it (Neon driver via the proxy). */
export function openTestDatabase(overrides: Partial<WorkerBindings> = {}): Database {
  const result = readConfig({ ...testEnvironment(), ...overrides });
  if (!result.ok)
    throw new Error(`test bindings are invalid: ${result.problems.map((entry) => entry.name).join(", ")}`);
  return createDatabase(result.config);
}
