import { ensureGuild } from "../../../db/guilds";
import { insertOAuthState } from "../../../db/oauthStates";
import { linkStateLifetimeMilliseconds } from "../../../http/handleLinkPage";
import { translate } from "../../../i18n/translate";
import { encodeBase64Url } from "../../../security/base64";
import { getTokenCipher, tokenPurpose } from "../../../security/keys";
import { chatGateScopes } from "../../../twitch/scopes";
import { type ActionRow, createLinkButtonRow } from "../../message";
import type { Invocation } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";

/**
 * /twitch connect: a one-use link button. It opens `PUBLIC_BASE_URL/twitch/link/{linkId}`:
 * Twitch's authorize URL with its signed state is far longer than the 512 characters Discord
 * allows a button URL, and the page in between names the server being linked and who asked
 * (handleLinkPage.ts). While the server's raffle uses the chat gate, its scopes are asked for again,
 * so re-linking keeps the gate working.
 */
export const connect = defineSubcommand({
  key: "twitch.connect",
  async run(invocation) {
    const rows = await invocation.app.database.query<{ uses_chat_gate: boolean }>(
      `select exists (select 1 from raffles where guild_id = $1 and status in ('running', 'paused')
         and active_minutes > 0) as uses_chat_gate`,
      [invocation.guildId],
    );
    const extraScopes = rows[0]?.uses_chat_gate ? [...chatGateScopes] : [];
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: translate(invocation.locale, "twitchConnectPrompt", {
          minutes: linkStateLifetimeMilliseconds / 60_000,
        }),
        components: [
          await createTwitchLinkButton(invocation, translate(invocation.locale, "twitchConnectButton"), extraScopes),
        ],
      },
    };
  },
});

/**
 * A button to `PUBLIC_BASE_URL/twitch/link/{linkId}` with a new signed, single-use state bound
 * to the guild, the user and the channel, asking for the usual scopes and `extraScopes`
 * (/twitch connect's, and /raffle start's when a gate needs a scope the link lacks).
 */
export async function createTwitchLinkButton(
  invocation: Invocation,
  label: string,
  extraScopes: readonly string[],
): Promise<ActionRow> {
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
    extraScopes: [...extraScopes],
    expiresAt: now + linkStateLifetimeMilliseconds,
    now,
  });
  return createLinkButtonRow(label, `${app.config.publicBaseUrl}/twitch/link/${linkId}`);
}
