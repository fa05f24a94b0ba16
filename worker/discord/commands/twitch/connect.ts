import { ensureGuild } from "../../../db/guilds";
import { insertOAuthState } from "../../../db/oauthStates";
import { linkStateLifetimeMilliseconds } from "../../../http/handleLinkPage";
import { translate } from "../../../i18n/translate";
import { encodeBase64Url } from "../../../security/base64";
import { getTokenCipher, tokenPurpose } from "../../../security/keys";
import { createLinkButtonRow } from "../../message";
import { defineSubcommand } from "../defineSubcommand";

/**
 * /twitch connect: a one-use link button. It opens `PUBLIC_BASE_URL/twitch/link/{linkId}`:
 * Twitch's authorize URL with its signed state is far longer than the 512 characters Discord
 * allows a button URL, and the page in between names the server being linked and who asked
 * (handleLinkPage.ts).
 */
export const connect = defineSubcommand({
  key: "twitch.connect",
  async run(invocation) {
    const { app } = invocation;
    const now = app.now();
    const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(18)));
    const linkId = encodeBase64Url(crypto.getRandomValues(new Uint8Array(18)));
    const cipher = await getTokenCipher(app.config);
    await ensureGuild(app.database, invocation.guildId, invocation.guildLocale);
    await insertOAuthState(app.database, {
      nonce,
      linkId,
      guildId: invocation.guildId,
      discordUserId: invocation.userId,
      discordChannelId: invocation.channelId,
      discordApplicationId: invocation.applicationId,
      interactionToken: await cipher.seal(invocation.interactionToken, tokenPurpose.interactionToken(nonce)),
      requestedByName: invocation.userName.slice(0, 100),
      expiresAt: now + linkStateLifetimeMilliseconds,
      now,
    });
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: translate(invocation.locale, "twitchConnectPrompt", {
          minutes: linkStateLifetimeMilliseconds / 60_000,
        }),
        components: [
          createLinkButtonRow(
            translate(invocation.locale, "twitchConnectButton"),
            `${app.config.publicBaseUrl}/twitch/link/${linkId}`,
          ),
        ],
      },
    };
  },
});
