import { connectRedis } from "./connectRedis";
import { MemoryRedisStore } from "./MemoryRedisStore";

/** Where the Upstash bridge sends its commands: a real Redis, or the in-memory store. */
export interface RedisBackend {
  /** One command. Resolves with the reply (strings, Buffers, integers, nil, arrays); rejects with a Redis error. */
  call(command: readonly string[]): Promise<unknown>;
  /**
   * The commands as one MULTI/EXEC: one `[error, reply]` per command. Rejects when Redis discards
   * the whole transaction (`EXECABORT …`, followed by the reasons).
   */
  callTransaction(commands: readonly (readonly string[])[]): Promise<[Error | null, unknown][]>;
  close(): Promise<void>;
}

/** A real Redis through one shared ioredis connection, binary-safe (`callBuffer`). */
export async function connectRedisBackend(redisUrl: string): Promise<RedisBackend> {
  const redis = await connectRedis(redisUrl);
  return {
    call([name = "", ...args]) {
      return redis.callBuffer(name, ...args);
    },
    async callTransaction(commands) {
      // ioredis writes the whole MULTI … EXEC in one go on the shared connection.
      const transaction = redis.multi();
      for (const [name = "", ...args] of commands) transaction.callBuffer(name, ...args);
      let results: [error: Error | null, result: unknown][] | null;
      try {
        results = await transaction.exec();
      } catch (error) {
        throw new Error(describeTransactionError(error), { cause: error });
      }
      if (results === null) throw new Error("EXECABORT Transaction discarded");
      return results;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** How often expired keys are dropped from memory (reads never see them either way). */
const sweepMilliseconds = 10_000;

/** The in-memory store of `npm run dev` without Redis: one process, so a transaction is simply run in one go. */
export function createMemoryBackend(store = new MemoryRedisStore()): RedisBackend {
  const sweep = setInterval(() => store.removeExpiredKeys(), sweepMilliseconds);
  sweep.unref();
  return {
    async call(command) {
      return store.execute(command);
    },
    async callTransaction(commands) {
      // Like Redis: a command it would not queue (unknown, wrong arity) discards the whole transaction.
      const problems = commands
        .map((command) => store.checkCommand(command))
        .filter((problem) => problem !== undefined);
      if (problems.length > 0) {
        throw new Error(`EXECABORT Transaction discarded because of previous errors. ${problems.join("; ")}`);
      }
      return commands.map((command): [Error | null, unknown] => {
        try {
          return [null, store.execute(command)];
        } catch (error) {
          return [error instanceof Error ? error : new Error(String(error)), null];
        }
      });
    },
    async close() {
      clearInterval(sweep);
    },
  };
}

function describeTransactionError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // EXECABORT alone does not say which command was wrong; ioredis keeps the queued errors.
  const previousErrors: unknown = Reflect.get(error, "previousErrors");
  if (Array.isArray(previousErrors) && previousErrors.length > 0) {
    const reasons = previousErrors.map((previous) => (previous instanceof Error ? previous.message : String(previous)));
    return `${error.message} ${reasons.join("; ")}`;
  }
  return error.message;
}
