/**
 * Bindings the Worker gets in tests: fixed fake credentials plus the URLs of this run's
 * local services and fakes. No Node imports: the Worker tests import this too.
 */

/** Test-only Ed25519 key (platform-facts §1.13): seed 00…1f. Never a real application's key. */
export const testDiscordPrivateSeedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
export const testDiscordPublicKeyHex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

export const testCredentials = {
  discordApplicationId: "100000000000000001",
  discordBotToken: "test-bot-token-not-secret",
  twitchClientId: "liveloot-test-client",
  twitchClientSecret: "liveloot-test-client-secret",
  twitchEventSubSecret: "test-eventsub-secret-0123456789",
  tokenEncryptionKey: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
  publicBaseUrl: "https://liveloot.test",
} as const;

export interface ServiceUrls {
  databaseUrl: string;
  neonWebSocketProxy: string;
  upstashUrl: string;
  upstashToken: string;
  twitchFakeUrl: string;
  discordFakeUrl: string;
}

export function testBindings(services: ServiceUrls): Record<string, string> {
  return {
    DISCORD_APPLICATION_ID: testCredentials.discordApplicationId,
    DISCORD_PUBLIC_KEY: testDiscordPublicKeyHex,
    DISCORD_BOT_TOKEN: testCredentials.discordBotToken,
    TWITCH_CLIENT_ID: testCredentials.twitchClientId,
    TWITCH_CLIENT_SECRET: testCredentials.twitchClientSecret,
    TWITCH_EVENTSUB_SECRET: testCredentials.twitchEventSubSecret,
    PUBLIC_BASE_URL: testCredentials.publicBaseUrl,
    DATABASE_URL: services.databaseUrl,
    NEON_WS_PROXY: services.neonWebSocketProxy,
    UPSTASH_REDIS_REST_URL: services.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: services.upstashToken,
    TOKEN_ENCRYPTION_KEY: testCredentials.tokenEncryptionKey,
    DISCORD_API_BASE_URL: `${services.discordFakeUrl}/api/v10`,
    TWITCH_API_BASE_URL: `${services.twitchFakeUrl}/helix`,
    TWITCH_AUTH_BASE_URL: `${services.twitchFakeUrl}/oauth2`,
  };
}
