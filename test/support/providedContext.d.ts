import "vitest";

declare module "vitest" {
  /** Values test/globalSetup.ts provides to every Worker test (read with `inject`). */
  export interface ProvidedContext {
    databaseUrl: string;
    postgresServerUrl: string;
    /**
     * One migrated database per file of test/worker/integration, by file name: read it with
     * `ownDatabaseUrl()` (test/support/worker/ownDatabase.ts) in a file that runs ticks.
     */
    ownDatabaseUrls: Record<string, string>;
    neonWebSocketProxy: string;
    neonHttpEndpoint: string;
    upstashUrl: string;
    upstashToken: string;
    redisUrl: string;
    twitchFakeUrl: string;
    discordFakeUrl: string;
    /** The drand beacon fake (period 1 s, so a draw waits at most about a second for its round). */
    drandFake: { url: string; chainHash: string; publicKey: string };
    /** host:port of a TCP listener that accepts and never answers. */
    blackHoleAddress: string;
    /**
     * The fault run's length in simulated minutes and its seed (LIVELOOT_FAULT_MINUTES,
     * LIVELOOT_FAULT_SEED; bench/faults.ts sets them): unset, its CI length and a fresh seed.
     */
    faultRun: { minutes: number | undefined; seed: number | undefined };
  }
}
