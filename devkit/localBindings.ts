/**
 * Bindings the Worker gets in tests: fixed fake credentials plus the URLs of this run's
 * local services and fakes. No Node imports: the Worker tests import this too.
 */

/** Test-only Ed25519 key, made for LiveLoot's tests: seed 00…1f. Never a real application's key. */
export const testDiscordPrivateSeedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
export const testDiscordPublicKeyHex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

/** At production lengths (19-digit snowflake, 30-character Twitch client id, 40-character https origin), so every URL and id the Worker writes is measured as in production. */
export const testCredentials = {
  discordApplicationId: "1187654321098765432",
  discordBotToken: "test-bot-token-not-secret",
  twitchClientId: "l1vel00tt3stc1ient0123456789ab",
  twitchClientSecret: "liveloot-test-client-secret",
  twitchEventSubSecret: "test-eventsub-secret-0123456789",
  tokenEncryptionKey: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
  publicBaseUrl: "https://liveloot-staging.example-host.io",
} as const;

export interface ServiceUrls {
  databaseUrl: string;
  /** Absent when Postgres is reached directly (a real Neon database). */
  neonWebSocketProxy?: string | undefined;
  /** Absent when Postgres is reached through Neon itself. */
  neonHttpEndpoint?: string | undefined;
  upstashUrl: string;
  upstashToken: string;
  twitchFakeUrl: string;
  discordFakeUrl: string;
  /** The drand fake: its URL and the chain it signs (devkit/fakes/drandFake.ts). */
  drandFake: { url: string; chainHash: string; publicKey: string };
}

/** The credentials the fakes and the Worker share (tests and `npm run dev` each have their own). */
export interface FakeCredentials {
  discordApplicationId: string;
  discordPublicKey: string;
  discordBotToken: string;
  twitchClientId: string;
  twitchClientSecret: string;
  twitchEventSubSecret: string;
  tokenEncryptionKey: string;
  publicBaseUrl: string;
}

/** Worker bindings that point every outside system at local services and fakes. */
export function buildLocalBindings(credentials: FakeCredentials, services: ServiceUrls): Record<string, string> {
  return {
    DISCORD_APPLICATION_ID: credentials.discordApplicationId,
    DISCORD_PUBLIC_KEY: credentials.discordPublicKey,
    DISCORD_BOT_TOKEN: credentials.discordBotToken,
    TWITCH_CLIENT_ID: credentials.twitchClientId,
    TWITCH_CLIENT_SECRET: credentials.twitchClientSecret,
    TWITCH_EVENTSUB_SECRET: credentials.twitchEventSubSecret,
    PUBLIC_BASE_URL: credentials.publicBaseUrl,
    DATABASE_URL: services.databaseUrl,
    ...(services.neonWebSocketProxy === undefined ? {} : { NEON_WS_PROXY: services.neonWebSocketProxy }),
    ...(services.neonHttpEndpoint === undefined ? {} : { NEON_HTTP_ENDPOINT: services.neonHttpEndpoint }),
    UPSTASH_REDIS_REST_URL: services.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: services.upstashToken,
    TOKEN_ENCRYPTION_KEY: credentials.tokenEncryptionKey,
    DISCORD_API_BASE_URL: `${services.discordFakeUrl}/api/v10`,
    TWITCH_API_BASE_URL: `${services.twitchFakeUrl}/helix`,
    TWITCH_AUTH_BASE_URL: `${services.twitchFakeUrl}/oauth2`,
    DRAND_API_BASE_URL: services.drandFake.url,
    DRAND_CHAIN_HASH: services.drandFake.chainHash,
    DRAND_PUBLIC_KEY: services.drandFake.publicKey,
  };
}

export function buildTestBindings(services: ServiceUrls): Record<string, string> {
  return buildLocalBindings({ ...testCredentials, discordPublicKey: testDiscordPublicKeyHex }, services);
}
