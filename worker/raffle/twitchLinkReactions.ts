import type { AppContext } from "../context";
import type { OAuthStateRecord } from "../db/oauthStates";
import { editOriginalResponse } from "../discord/DiscordRestClient";
import type { MessageBody } from "../discord/message";
import { readServerName } from "../discord/readServerName";
import { type MessageKey, translate } from "../i18n/translate";
import { getTokenCipher, tokenPurpose } from "../security/keys";
import type { TwitchLinkListener } from "../twitch/TwitchLinkListener";
import { postNotice, resumeAfterRelink } from "./lifecycle";

/** Interaction tokens live 15 minutes; leave a minute of margin before falling back to a bot post. */
const interactionTokenLifetimeMilliseconds = 14 * 60 * 1000;

/** What a finished /twitch connect means for the raffle and for the Discord reply that asked. */
export const twitchLinkReactions: TwitchLinkListener = {
  async cancelled(app, request, locale) {
    // The reply's button is spent: say so there instead of leaving a button that leads nowhere.
    await tellRequester(
      app,
      request,
      { content: translate(locale, "twitchLinkCancelledInDiscord"), components: [] },
      { editOnly: true },
    );
  },

  readServerName,

  async linked(app, account) {
    const guildId = account.request.guildId;
    const resumed = await resumeAfterRelink(app, guildId, { id: account.twitchUserId, login: account.twitchLogin });
    if (resumed) app.log.info("raffle resumed by the new Twitch link", { guildId, raffleId: resumed.id });
    await tellRequester(
      app,
      account.request,
      { content: translate(account.locale, "twitchLinkedInDiscord", { name: account.displayName }), components: [] },
      { noticeKey: "twitchLinkedInDiscord" },
    );
  },
};

/**
 * Edits the ephemeral /twitch connect reply while its token lives; else, given `noticeKey`, says it
 * in the channel where it was asked, as a notice (the outbox retries it; once per request).
 */
async function tellRequester(
  app: AppContext,
  request: OAuthStateRecord,
  body: MessageBody,
  options: { editOnly?: boolean; noticeKey?: MessageKey } = {},
): Promise<void> {
  if (app.now() - request.createdAt < interactionTokenLifetimeMilliseconds) {
    try {
      const cipher = await getTokenCipher(app.config);
      const interactionToken = await cipher.open(
        request.interactionToken,
        tokenPurpose.interactionToken(request.nonce),
      );
      await editOriginalResponse(app.config, request.discordApplicationId, interactionToken, body);
      return;
    } catch (error) {
      app.log.warn("could not edit the /twitch connect reply", { error, guildId: request.guildId });
    }
  }
  if (options.editOnly || options.noticeKey === undefined || !body.content) return;
  try {
    await postNotice(app, {
      guildId: request.guildId,
      raffleId: undefined,
      channelId: request.discordChannelId,
      dedupeKey: `linked-${request.nonce}`,
      messageKey: options.noticeKey,
      content: body.content,
    });
  } catch (error) {
    app.log.error("could not tell Discord about the new Twitch link", { error, guildId: request.guildId });
  }
}
