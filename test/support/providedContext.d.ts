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
     * 6 claim-page-integration, 14 overlay-integration (15 is the overlay's too, unused so far).
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
  }
}
