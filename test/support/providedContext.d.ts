import "vitest";

declare module "vitest" {
  /** Values test/globalSetup.ts provides to every Worker test (read with `inject`). */
  export interface ProvidedContext {
    databaseUrl: string;
    postgresServerUrl: string;
    /** A second migrated database, used only by the tick tests. */
    tickDatabaseUrl: string;
    /** A third, used only by the event-order matrix (it runs ticks beside the tick tests). */
    livenessDatabaseUrl: string;
    /**
     * Seven more migrated databases for test files that run ticks; each index belongs to one file:
     * 0 slot-outcomes-integration, 1 shared-channel-integration, 2 bounded-work-integration,
     * 3 token-races-integration, 4 fair-draws-integration, 5 claim-redraw-integration,
     * 6 claim-page-integration, 13 fault-run-integration.
     */
    isolatedDatabaseUrls: string[];
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
