import { createRedis } from "../cache/createRedis";
import { createDatabase } from "../db/Database";
import { readConfig, type WorkerBindings } from "../env";
import { TimeoutError, withTimeout } from "../lib/withTimeout";
import { createLogger } from "../log";

/** Each dependency gets this long; the whole check answers well inside 2 seconds. */
const checkTimeoutMilliseconds = 1_500;

/**
 * Why a check failed, in a few words. /health is public: the driver's own message can name
 * hosts, users and databases, so it goes only to the log.
 */
export type CheckFailure =
  | "timed out"
  | "connection refused"
  | "host not found"
  | "authentication failed"
  | "database missing"
  | "connection failed"
  | "unexpected answer"
  | "failed";

type CheckResult =
  | { status: "ok"; latencyMs: number }
  | { status: "fail"; latencyMs: number; error: CheckFailure }
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
    timeCheck("database", async () => {
      await database.query("select 1 as ok");
    }),
    timeCheck("redis", async () => {
      const answer = await redis.ping();
      if (answer !== "PONG") throw new UnexpectedAnswerError(`unexpected PING answer ${JSON.stringify(answer)}`);
    }),
  ]);
  execution.waitUntil(database.close());
  const status = databaseCheck.status !== "ok" ? "down" : redisCheck.status !== "ok" ? "degraded" : "ok";
  return { status, checks: { config: { status: "ok" }, database: databaseCheck, redis: redisCheck } };
}

async function timeCheck(name: string, check: () => Promise<void>): Promise<CheckResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    await withTimeout(check(), checkTimeoutMilliseconds);
    return { status: "ok", latencyMs: latency() };
  } catch (error) {
    const failure = classifyCheckFailure(error);
    // The operator's log gets the driver's message (masked by the logger); the response does not.
    createLogger({ path: "/health" }).warn("health check failed", { check: name, failure, error });
    return { status: "fail", latencyMs: latency(), error: failure };
  }
}

class UnexpectedAnswerError extends Error {
  override name = "UnexpectedAnswerError";
}

// SQLSTATE classes and codes Postgres (and Neon's proxy) report (postgresql.org, Appendix A).
const authenticationCodes = new Set(["28000", "28P01"]);
const missingDatabaseCode = "3D000";

/** The short category of a failed check, read from the error, its code and its causes. */
export function classifyCheckFailure(error: unknown): CheckFailure {
  const chain = unwrapErrors(error);
  if (chain.some((entry) => entry instanceof TimeoutError)) return "timed out";
  if (chain.some((entry) => entry instanceof UnexpectedAnswerError)) return "unexpected answer";
  const codes = chain.map((entry) => readField(entry, "code")).filter((code) => code !== undefined);
  const text = chain.map((entry) => `${readField(entry, "message") ?? ""} ${readField(entry, "code") ?? ""}`).join(" ");
  if (codes.some((code) => authenticationCodes.has(code))) return "authentication failed";
  if (codes.includes(missingDatabaseCode)) return "database missing";
  if (/ECONNREFUSED|connection refused/i.test(text)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|DNS|name not resolved/i.test(text)) return "host not found";
  if (/password authentication|authenticat|unauthori[sz]ed|\b401\b|WRONGPASS|NOAUTH|invalid token/i.test(text)) {
    return "authentication failed";
  }
  if (/database "[^"]*" does not exist|unknown database/i.test(text)) return "database missing";
  if (
    /^08|ECONNRESET|EPIPE|network|socket|connect|fetch failed|closed/i.test(text) ||
    codes.some((code) => code.startsWith("08"))
  ) {
    return "connection failed";
  }
  return "failed";
}

/** The error, its causes and, for an AggregateError, what it aggregates (a few levels deep). */
function unwrapErrors(error: unknown, depth = 0): unknown[] {
  if (depth > 4 || error === undefined || error === null) return [];
  const found: unknown[] = [error];
  if (typeof error === "object") {
    found.push(...unwrapErrors((error as { cause?: unknown }).cause, depth + 1));
    found.push(...unwrapErrors((error as { sourceError?: unknown }).sourceError, depth + 1));
    const inner = (error as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const entry of inner.slice(0, 4)) found.push(...unwrapErrors(entry, depth + 1));
  }
  return found;
}

function readField(value: unknown, field: "code" | "message"): string | undefined {
  if (typeof value === "string") return field === "message" ? value : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  const read = (value as Record<string, unknown>)[field];
  return typeof read === "string" || typeof read === "number" ? String(read) : undefined;
}
