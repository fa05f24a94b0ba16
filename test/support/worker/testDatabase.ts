import { createDatabase, type Database } from "../../../worker/db/Database";
import { readConfig } from "../../../worker/env";
import { testEnvironment } from "./callWorker";

/** The run's migrated database, reached the way the Worker reaches it (Neon driver via the proxy). */
export function openTestDatabase(): Database {
  const result = readConfig(testEnvironment());
  if (!result.ok)
    throw new Error(`test bindings are invalid: ${result.problems.map((entry) => entry.name).join(", ")}`);
  return createDatabase(result.config);
}
