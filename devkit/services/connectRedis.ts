import { Redis } from "ioredis";

/**
 * Opens an ioredis connection and waits until it is ready. Commands fail fast instead of waiting
 * through reconnects, and a failed first connection says where and why (ioredis alone says only
 * "Connection is closed.").
 */
export async function connectRedis(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  let lastError: Error | undefined;
  redis.on("error", (error: Error) => {
    // Kept for the message below; later errors surface through the command that fails.
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = lastError ?? error;
    throw new Error(
      `Could not connect to Redis at ${redactPassword(redisUrl)}: ${reason instanceof Error ? reason.message : String(reason)}`,
      {
        cause: reason,
      },
    );
  }
  return redis;
}

function redactPassword(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return "(an unparseable URL)";
  }
}
