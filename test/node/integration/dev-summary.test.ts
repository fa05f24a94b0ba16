import { describe, expect, it } from "vitest";
import { inMemoryWarning } from "../../../devkit/services/upstashEndpoint";
import { formatDevSummary } from "../../../scripts/dev/formatDevSummary";
import type { DevStack } from "../../../scripts/dev/startDevStack";

function createStack(overrides: Partial<DevStack>): DevStack {
  return {
    mode: "fakes",
    workerUrl: "http://127.0.0.1:8787",
    playgroundUrl: "http://127.0.0.1:8790",
    postgresKind: "cluster",
    redisKind: "server",
    ticker: { advanceOneMinute: async () => Promise.reject(new Error("unused")), history: [], stop: () => {} },
    stop: async () => {},
    ...overrides,
  };
}

describe("formatDevSummary", () => {
  it("says where the data lives, without a warning when Redis is real", () => {
    const summary = formatDevSummary(createStack({}), ".local/dev/postgres");
    expect(summary).toContain(
      "  Data        a local Postgres cluster (data kept in .local/dev/postgres); a throwaway redis-server",
    );
    expect(summary).not.toContain("Warning");
  });

  it("gives the operator API's address and this run's token", () => {
    const summary = formatDevSummary(createStack({ adminApiToken: "t".repeat(32) }), ".local/dev/postgres");
    expect(summary).toContain(
      `Admin API   http://127.0.0.1:8787/admin/docs   (header Authorization: Bearer ${"t".repeat(32)})`,
    );
  });

  it("says how to verify the draws against the fake beacon's chain", () => {
    const chainInfo = "http://127.0.0.1:40001/0123abcd/info";
    const summary = formatDevSummary(createStack({ drandChainInfoUrl: chainInfo }), ".local/dev/postgres");
    expect(summary).toContain(`npm run verify -- http://127.0.0.1:8787/r/<raffle> --chain-info ${chainInfo}`);
    expect(formatDevSummary(createStack({}), ".local/dev/postgres")).not.toContain("npm run verify");
  });

  it("warns, inside the block, that Redis in memory is for development only", () => {
    const summary = formatDevSummary(
      createStack({ postgresKind: "pglite", redisKind: "memory", redisWarning: inMemoryWarning }),
      ".local/dev/postgres",
    );
    const lines = summary.split("\n");
    expect(lines).toContain(
      "  Data        embedded PGlite (data kept in .local/dev/postgres); Redis in memory (development only)",
    );
    expect(lines).toContain(`Warning: ${inMemoryWarning}`);
    expect(lines.indexOf(`Warning: ${inMemoryWarning}`)).toBeLessThan(
      lines.indexOf("Press Ctrl-C to stop everything."),
    );
  });
});
