import type { Redis } from "@upstash/redis/cloudflare";
import { createRedis } from "./cache/createRedis";
import { createDatabase, type Database } from "./db/Database";
import type { Config } from "./env";
import type { Logger } from "./log";

/** Everything one request or tick needs, opened lazily and closed once at the end. */
export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  readonly redis: Redis;
  execution: ExecutionContext;
  /** Milliseconds since the epoch; a tick passes its scheduledTime here. */
  now(): number;
}

export function createAppContext(options: {
  config: Config;
  log: Logger;
  execution: ExecutionContext;
  now?: () => number;
}): AppContext {
  let redis: Redis | undefined;
  return {
    config: options.config,
    log: options.log,
    database: createDatabase(options.config),
    get redis() {
      redis ??= createRedis(options.config);
      return redis;
    },
    execution: options.execution,
    now: options.now ?? (() => Date.now()),
  };
}

/** Hands the connection shutdown to the runtime so the response is not held up by it. */
export function closeAppContext(context: AppContext): void {
  context.execution.waitUntil(context.database.close());
}
