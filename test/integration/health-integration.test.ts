import { describe, expect, inject, it } from "vitest";
import type { HealthReport } from "../../worker/http/checkHealth";
import { callWorkerTimed, testEnvironment } from "../support/worker/callWorker";

const healthRequest = () => new Request("https://liveloot.test/health");

async function readHealth(
  overrides = {},
): Promise<{ status: number; report: HealthReport; text: string; elapsed: number }> {
  const { response, responseMilliseconds } = await callWorkerTimed(healthRequest(), overrides);
  const text = await response.text();
  return { status: response.status, report: JSON.parse(text) as HealthReport, text, elapsed: responseMilliseconds };
}

describe("GET /health", () => {
  it("is ok with 200 when config, Postgres and Redis all answer, with latencies", async () => {
    const { status, report } = await readHealth();
    expect(report.checks.config).toEqual({ status: "ok" });
    expect(report.checks.database).toMatchObject({ status: "ok" });
    expect(report.checks.redis).toMatchObject({ status: "ok" });
    expect(report.status).toBe("ok");
    expect(status).toBe(200);
    for (const check of [report.checks.database, report.checks.redis]) {
      expect(check.status === "ok" && check.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("names missing and malformed settings without echoing their values, with 503", async () => {
    const badKey = "not-base64-of-32-bytes";
    const { status, report, text } = await readHealth({
      DISCORD_PUBLIC_KEY: undefined,
      TOKEN_ENCRYPTION_KEY: badKey,
      TWITCH_EVENTSUB_SECRET: "short",
    });
    expect(status).toBe(503);
    expect(report.status).toBe("down");
    expect(report.checks.config.status).toBe("fail");
    const problems = report.checks.config.status === "fail" ? report.checks.config.problems : [];
    expect(problems.map((entry) => entry.name).sort()).toEqual([
      "DISCORD_PUBLIC_KEY",
      "TOKEN_ENCRYPTION_KEY",
      "TWITCH_EVENTSUB_SECRET",
    ]);
    expect(problems.find((entry) => entry.name === "DISCORD_PUBLIC_KEY")?.problem).toBe("is missing");
    expect(text).not.toContain(badKey);
    expect(text).not.toContain("short");
    expect(report.checks.database.status).toBe("skipped");
  });

  it("is down when Postgres refuses the connection", async () => {
    const environment = testEnvironment();
    const missingDatabase = environment.DATABASE_URL?.replace(/\/[^/?]+(\?|$)/, "/liveloot_no_such_database$1");
    const { status, report, text } = await readHealth({ DATABASE_URL: missingDatabase });
    expect(status).toBe(503);
    expect(report.status).toBe("down");
    expect(report.checks.database.status).toBe("fail");
    expect(report.checks.redis.status).toBe("ok");
    expect(text).not.toContain("postgres://");
  });

  it("is down, with no uncaught error, when nothing listens where Postgres should be", async () => {
    const { status, report } = await readHealth({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/liveloot" });
    expect(status).toBe(503);
    expect(report.checks.database.status).toBe("fail");
  });

  it("is degraded, not down, when only Redis is unreachable", async () => {
    const { status, report } = await readHealth({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    expect(status).toBe(503);
    expect(report.status).toBe("degraded");
    expect(report.checks.database.status).toBe("ok");
    expect(report.checks.redis.status).toBe("fail");
  });

  it("answers within 2 seconds when both dependencies hang", async () => {
    const blackHole = inject("blackHoleAddress");
    const { status, report, elapsed } = await readHealth({
      NEON_HTTP_ENDPOINT: `http://${blackHole}/sql`,
      UPSTASH_REDIS_REST_URL: `http://${blackHole}`,
    });
    expect(elapsed).toBeLessThan(2_000);
    expect(status).toBe(503);
    expect(report.checks.database).toMatchObject({ status: "fail", error: expect.stringMatching(/timed out/) });
    expect(report.checks.redis).toMatchObject({ status: "fail", error: expect.stringMatching(/timed out/) });
  });
});
