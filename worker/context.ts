import { createRedis, type Redis } from "./cache/createRedis";
import { createDatabase, type Database, type DatabaseTransport } from "./db/Database";
import type { Config } from "./env";
import { cryptoRandom, type RandomSource } from "./lib/randomness";
import type { Logger } from "./log";
import type { OverlayNamespace } from "./overlay/overlayBinding";

/** Everything one request or tick needs, opened lazily and closed once at the end. */
export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  readonly redis: Redis;
  execution: ExecutionContext;
  /** The servers' overlay objects (wrangler.toml OVERLAY); undefined where the binding is absent. */
  overlays: OverlayNamespace | undefined;
  /** Milliseconds since the epoch; a tick passes its scheduledTime here. */
  now(): number;
  /** Where the draw path takes its random numbers (the uniform sample of a chat) from; tests may fix it. */
  random: RandomSource;
  /** Work that finishes after the response (deferred replies, subscriptions); closing waits for it. */
  runInBackground(task: Promise<unknown>): void;
  /** Background tasks not yet settled. */
  readonly background: Promise<unknown>[];
}

export function createAppContext(options: {
  config: Config;
  log: Logger;
  execution: ExecutionContext;
  now?: () => number;
  /** crypto.getRandomValues unless a test fixes it. */
  random?: RandomSource;
  /** HTTP for requests (the default); the tick and the queue consumer hold one WebSocket session. */
  databaseTransport?: DatabaseTransport;
  overlays?: OverlayNamespace | undefined;
}): AppContext {
  let redis: Redis | undefined;
  const background: Promise<unknown>[] = [];
  return {
    config: options.config,
    log: options.log,
    database: createDatabase(options.config, options.databaseTransport),
    get redis() {
      redis ??= createRedis(options.config);
      return redis;
    },
    execution: options.execution,
    overlays: options.overlays,
    now: options.now ?? (() => Date.now()),
    random: options.random ?? cryptoRandom,
    background,
    runInBackground(task) {
      const settled = task.catch((error: unknown) => options.log.error("background task failed", { error }));
      background.push(settled);
      options.execution.waitUntil(settled);
    },
  };
}

/**
 * Hands the connection shutdown to the runtime so the response is not held up by it. The pool
 * closes only after the background work that still needs it has settled.
 */
export function closeAppContext(context: AppContext): void {
  context.execution.waitUntil(settleBackground(context).then(() => context.database.close()));
}

async function settleBackground(context: AppContext): Promise<void> {
  // A task may start another; wait until none is left.
  for (let settled = 0; settled < context.background.length; ) {
    const pending = context.background.slice(settled);
    settled = context.background.length;
    await Promise.allSettled(pending);
  }
}
