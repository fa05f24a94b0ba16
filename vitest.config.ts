import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { testBindings } from "./test/support/testBindings.ts";

/**
 * Three projects: "unit-node" for the Worker's pure rules in plain Node (no services: run it
 * alone with `vitest run --project unit-node`); "node" for scripts, SQL, services and fakes;
 * "worker" for the Worker itself, inside workerd, against the real local services that
 * test/globalSetup.ts starts.
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
          include: ["test/unit-node/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: testBindings({
                databaseUrl: inject("databaseUrl"),
                neonWebSocketProxy: inject("neonWebSocketProxy"),
                neonHttpEndpoint: inject("neonHttpEndpoint"),
                upstashUrl: inject("upstashUrl"),
                upstashToken: inject("upstashToken"),
                twitchFakeUrl: inject("twitchFakeUrl"),
                discordFakeUrl: inject("discordFakeUrl"),
              }),
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
