import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildTestBindings } from "./devkit/localBindings.ts";
import { buildPageAssets } from "./scripts/buildPageAssets.ts";

// The worker project reads wrangler.toml, whose [assets] directory must exist; the browser test
// loads the Verify script from it. Built at config load, before any project starts.
buildPageAssets();

/**
 * test/ has one axis: where a test runs and what it covers.
 * - "unit-node": test/node/unit, the Worker's pure rules in plain Node (no services: run it alone
 *   with `vitest run --project unit-node`).
 * - "node": test/node/integration (scripts, SQL, the dev stack, against real services) and the dev
 *   kit's own tests (devkit/tests: fakes and local services).
 * - "worker": test/worker/unit and test/worker/integration, the Worker itself inside workerd,
 *   against the real local services that test/globalSetup.ts starts.
 */
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/countingReporter.ts"],
    // At the root, not in the worker project: there the Cloudflare plugin resolves packages
    // for workerd, and the Node services (ws, ioredis, pg) need Node's builds.
    globalSetup: ["./test/globalSetup.ts"],
    projects: [
      {
        test: {
          name: "unit-node",
          environment: "node",
          include: ["test/node/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/integration/**/*.test.ts", "devkit/tests/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: buildTestBindings({
                databaseUrl: inject("databaseUrl"),
                neonWebSocketProxy: inject("neonWebSocketProxy"),
                neonHttpEndpoint: inject("neonHttpEndpoint"),
                upstashUrl: inject("upstashUrl"),
                upstashToken: inject("upstashToken"),
                twitchFakeUrl: inject("twitchFakeUrl"),
                discordFakeUrl: inject("discordFakeUrl"),
                drandFake: inject("drandFake"),
              }),
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/unit/**/*.test.ts", "test/worker/integration/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
