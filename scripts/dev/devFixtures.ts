import { testCredentials, testDiscordPublicKeyHex } from "../../devkit/localBindings";

/**
 * The pretend world `npm run dev` starts with: one Discord server with two channels, a Twitch
 * streamer and a few chatters, and the credentials the fakes and the Worker share. The Discord key
 * is the test key of devkit/localBindings.ts (seed 00…1f), so the playground can sign interactions as Discord does.
 */
export const devFixtures = {
  credentials: {
    discordApplicationId: testCredentials.discordApplicationId,
    discordPublicKey: testDiscordPublicKeyHex,
    discordBotToken: "dev-bot-token-not-secret",
    twitchClientId: "liveloot-dev-client",
    twitchClientSecret: "liveloot-dev-client-secret-not-secret",
    twitchEventSubSecret: "dev-eventsub-secret-not-secret",
    // Fixed, so that tokens stored in a kept database can still be decrypted after a restart.
    tokenEncryptionKey: testCredentials.tokenEncryptionKey,
  },
  guild: { id: "200000000000000001", name: "LiveLoot Playground" },
  channels: [
    { id: "300000000000000001", name: "general" },
    { id: "300000000000000002", name: "giveaways" },
  ],
  twitchStreamer: { id: "41000001", login: "demo_streamer", displayName: "DemoStreamer" },
  /** Who is in the streamer's chat at start: three viewers, a bot and the streamer (neither can win). */
  chatterLogins: ["alice_viewer", "bob_builds", "carol_plays", "nightbot", "demo_streamer"],
} as const;
