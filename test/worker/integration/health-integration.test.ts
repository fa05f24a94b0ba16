import { describe, expect, inject, it } from "vitest";
import type { HealthReport } from "../../../worker/http/checkHealth";
import { callWorkerTimed, testEnvironment } from "../../support/worker/callWorker";

const healthRequest = () => new Request("https://liveloot.test/health");

async function readHealth(
  overrides = {},
): Promise<{ status: number; report: HealthReport; text: string; elapsed: number }> {
  const { response, responseMilliseconds } = await callWorkerTimed(healthRequest(), overrides);
  const text = await response.text();
  return { status: response.status, report: JSON.parse(text) as HealthReport, text, elapsed: responseMilliseconds };
}

/** A failed check carries only its category: never a driver message, host, user or database. */
function expectNoDriverDetails(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/postgres:\/\/|https?:\/\/|Error:|does not exist|ECONN/i);
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

  it("is down when the database does not exist, saying so without the driver's message", async () => {
    const environment = testEnvironment();
    const missingDatabase = environment.DATABASE_URL?.replace(/\/[^/?]+(\?|$)/, "/liveloot_no_such_database$1");
    const { status, report, text } = await readHealth({ DATABASE_URL: missingDatabase });
    expect(status).toBe(503);
    expect(report.status).toBe("down");
    expect(report.checks.database).toEqual({
      status: "fail",
      latencyMs: expect.any(Number),
      error: "database missing",
    });
    expect(report.checks.redis.status).toBe("ok");
    expectNoDriverDetails(text, ["liveloot_no_such_database", "postgres"]);
  });

  it("says authentication failed for a user Postgres does not know, naming neither user nor host", async () => {
    const environment = testEnvironment();
    const strangerUrl = environment.DATABASE_URL?.replace(
      /^postgres(ql)?:\/\/[^@/]*@/,
      "postgres://liveloot_stranger@",
    );
    expect(strangerUrl).toContain("liveloot_stranger@");
    const { status, report, text } = await readHealth({ DATABASE_URL: strangerUrl });
    expect(status).toBe(503);
    expect(report.checks.database).toEqual({
      status: "fail",
      latencyMs: expect.any(Number),
      error: "authentication failed",
    });
    expectNoDriverDetails(text, ["liveloot_stranger", "127.0.0.1", "role"]);
  });

  it("is down, with no uncaught error, when nothing listens where Postgres should be", async () => {
    const { status, report, text } = await readHealth({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/liveloot" });
    expect(status).toBe(503);
    expect(report.checks.database.status).toBe("fail");
    expect(report.checks.database.status === "fail" && report.checks.database.error).toMatch(
      /^(connection refused|connection failed|database missing|authentication failed)$/,
    );
    expectNoDriverDetails(text, ["127.0.0.1"]);
  });

  it("is degraded, not down, when only Redis is unreachable: connection refused, no address", async () => {
    const { status, report, text } = await readHealth({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    expect(status).toBe(503);
    expect(report.status).toBe("degraded");
    expect(report.checks.database.status).toBe("ok");
    expect(report.checks.redis).toEqual({
      status: "fail",
      latencyMs: expect.any(Number),
      error: expect.stringMatching(/^(connection refused|connection failed)$/),
    });
    expectNoDriverDetails(text, ["127.0.0.1"]);
  });

  it("says authentication failed when Upstash refuses the token, without echoing it", async () => {
    const badToken = "liveloot-wrong-upstash-token";
    const { status, report, text } = await readHealth({ UPSTASH_REDIS_REST_TOKEN: badToken });
    expect(status).toBe(503);
    expect(report.checks.redis).toEqual({
      status: "fail",
      latencyMs: expect.any(Number),
      error: "authentication failed",
    });
    expectNoDriverDetails(text, [badToken]);
  });

  it("answers within 2 seconds when both dependencies hang", async () => {
    const blackHole = inject("blackHoleAddress");
    const { status, report, elapsed } = await readHealth({
      NEON_HTTP_ENDPOINT: `http://${blackHole}/sql`,
      UPSTASH_REDIS_REST_URL: `http://${blackHole}`,
    });
    expect(elapsed).toBeLessThan(2_000);
    expect(status).toBe(503);
    expect(report.checks.database).toMatchObject({ status: "fail", error: "timed out" });
    expect(report.checks.redis).toMatchObject({ status: "fail", error: "timed out" });
    expectNoDriverDetails(JSON.stringify(report), [blackHole]);
  });
});
