import type { AppContext } from "../context";
import { findStateByLinkId, type LinkPageState } from "../db/oauthStates";
import { getGuild } from "../discord/DiscordRestClient";
import type { Config } from "../env";
import { type Locale, type MessageKey, translate } from "../i18n/translate";
import { getStateKey } from "../security/keys";
import { signState } from "../security/OAuthState";
import { requestedTwitchScopes } from "../twitch/scopes";
import { renderMessagePage, resolveBrowserLocale } from "./renderMessagePage";

/** How long a /twitch connect link stays usable: the page, then Twitch's redirect. */
export const linkStateLifetimeMilliseconds = 10 * 60 * 1000;

const linkIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * GET /twitch/link/{id}: where /twitch connect's button points. It names the Discord server
 * being linked and who asked, so a streamer sent someone else's link sees whose server it is,
 * then continues to Twitch's authorize URL with the signed, single-use state. A used, expired or
 * unknown link gets the same pages as the callback.
 */
export async function handleLinkPage(request: Request, app: AppContext, linkId: string): Promise<Response> {
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const found: LinkPageState = linkIdPattern.test(linkId)
    ? await findStateByLinkId(app.database, linkId, app.now())
    : { kind: "unknown" };
  if (found.kind === "used") return renderLinkFailurePage(locale, "callbackReusedState");
  if (found.kind === "expired") return renderLinkFailurePage(locale, "callbackExpiredState");
  if (found.kind !== "usable") return renderLinkFailurePage(locale, "callbackInvalidState", 404);
  const { state } = found;
  const signedState = await signState(
    {
      guildId: state.guildId,
      userId: state.discordUserId,
      channelId: state.discordChannelId,
      nonce: state.nonce,
      expiresAt: state.expiresAt,
    },
    await getStateKey(app.config),
  );
  return renderMessagePage({
    locale,
    title: translate(locale, "linkPageTitle"),
    message: translate(locale, "linkPageBody", {
      user: state.requestedByName ?? state.discordUserId,
      server: await readServerName(app, state.guildId),
    }),
    status: 200,
    success: true,
    link: {
      href: buildAuthorizeUrl(app.config, signedState, state.extraScopes),
      label: translate(locale, "linkPageContinue"),
    },
  });
}

/**
 * Twitch's consent page for LiveLoot's scopes, and `extraScopes` (the chat gate's, asked for only
 * while a raffle uses it); `force_verify` lets the streamer pick the account.
 */
export function buildAuthorizeUrl(
  config: Pick<Config, "twitchAuthBaseUrl" | "twitchClientId" | "publicBaseUrl">,
  signedState: string,
  extraScopes: readonly string[] = [],
): string {
  const url = new URL(`${config.twitchAuthBaseUrl}/authorize`);
  url.searchParams.set("client_id", config.twitchClientId);
  url.searchParams.set("redirect_uri", `${config.publicBaseUrl}/twitch/callback`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", [...new Set([...requestedTwitchScopes, ...extraScopes])].join(" "));
  url.searchParams.set("state", signedState);
  url.searchParams.set("force_verify", "true");
  return url.toString();
}

/** The server's name as Discord gives it; its id when Discord cannot say (the page still works). */
export async function readServerName(app: AppContext, guildId: string): Promise<string> {
  try {
    return (await getGuild(app.config, guildId)).name;
  } catch (error) {
    app.log.warn("could not read the server's name from Discord", { error, guildId });
    return guildId;
  }
}

/** The page for a link or callback that cannot link anything. */
export function renderLinkFailurePage(
  locale: Locale,
  key: MessageKey,
  status = 400,
  parameters: Record<string, string> = {},
): Response {
  return renderMessagePage({
    locale,
    title: translate(locale, "callbackFailedTitle"),
    message: translate(locale, key, parameters),
    status,
    success: false,
  });
}
