import { createRedis } from "../cache/createRedis";
import { createDatabase } from "../db/Database";
import { readConfig, type WorkerBindings } from "../env";
import { describeError } from "../log";
import { withTimeout } from "../withTimeout";

/** Each dependency gets this long; the whole check answers well inside 2 seconds. */
const checkTimeoutMilliseconds = 1_500;

type CheckResult =
  | { status: "ok"; latencyMs: number }
  | { status: "fail"; latencyMs: number; error: string }
  | { status: "skipped"; reason: string };

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  checks: {
    config: { status: "ok" } | { status: "fail"; problems: { name: string; problem: string }[] };
    database: CheckResult;
    redis: CheckResult;
  };
}

/**
 * GET /health. Postgres holds everything recorded, so without it LiveLoot is down; Redis
 * is only a cache, so without it LiveLoot is degraded but still draws.
 */
export async function checkHealth(bindings: WorkerBindings, execution: ExecutionContext): Promise<Response> {
  const report = await buildHealthReport(bindings, execution);
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}

async function buildHealthReport(bindings: WorkerBindings, execution: ExecutionContext): Promise<HealthReport> {
  const configResult = readConfig(bindings);
  if (!configResult.ok) {
    const skipped = { status: "skipped", reason: "configuration is invalid" } as const;
    return {
      status: "down",
      checks: { config: { status: "fail", problems: configResult.problems }, database: skipped, redis: skipped },
    };
  }
  const database = createDatabase(configResult.config);
  const redis = createRedis(configResult.config);
  const [databaseCheck, redisCheck] = await Promise.all([
    timeCheck(async () => {
      await database.query("select 1 as ok");
    }),
    timeCheck(async () => {
      const answer = await redis.ping();
      if (answer !== "PONG") throw new Error(`unexpected PING answer ${JSON.stringify(answer)}`);
    }),
  ]);
  execution.waitUntil(database.close());
  const status = databaseCheck.status !== "ok" ? "down" : redisCheck.status !== "ok" ? "degraded" : "ok";
  return { status, checks: { config: { status: "ok" }, database: databaseCheck, redis: redisCheck } };
}

async function timeCheck(check: () => Promise<void>): Promise<CheckResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    await withTimeout(check(), checkTimeoutMilliseconds);
    return { status: "ok", latencyMs: latency() };
  } catch (error) {
    return { status: "fail", latencyMs: latency(), error: describeError(error) };
  }
}
