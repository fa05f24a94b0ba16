import type { AppContext } from "../context";
import { findStateByLinkId, type LinkPageState, markLinkPageOpened } from "../db/oauthStates";
import { readServerName } from "../discord/readServerName";
import type { Config } from "../env";
import { describeOAuthFailure, type OAuthFailure } from "../i18n/oauthFailures";
import { type Locale, type MessageKey, translate } from "../i18n/translate";
import {
  type BrowserBoundFlow,
  buildBindingCookie,
  createBrowserBinding,
  isBoundBrowser,
} from "../security/BrowserBinding";
import { getStateKey } from "../security/keys";
import { signState } from "../security/OAuthState";
import { requestedTwitchScopes } from "../twitch/scopes";
import { renderMessagePage, resolveBrowserLocale } from "./renderMessagePage";

/** How long a /twitch connect link stays usable: the page, then Twitch's redirect. */
export const linkStateLifetimeMilliseconds = 10 * 60 * 1000;

/** The Twitch link's browser binding: its cookie goes to the callback (and to the link page itself). */
export const twitchLinkFlow: BrowserBoundFlow = { cookiePrefix: "liveloot_link_", callbackPath: "/twitch/callback" };

const linkIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * GET /twitch/link/{id}: where /twitch connect's button points. It names the Discord server
 * being linked and who asked, so a streamer sent someone else's link sees whose server it is,
 * then continues to Twitch's authorize URL with the signed, single-use state. The first browser to
 * open it owns it: the page records that browser's binding and hands it a cookie for the callback
 * (and one for this page, so the same browser may open it again); the state names the binding, so
 * its authorize URL completed in any other browser is refused. A second browser is told the link
 * was already opened. A used, expired or unknown link gets the same pages as the callback.
 */
export async function handleLinkPage(request: Request, app: AppContext, linkId: string): Promise<Response> {
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const found: LinkPageState = linkIdPattern.test(linkId)
    ? await findStateByLinkId(app.database, linkId, app.now())
    : { kind: "unknown" };
  if (found.kind === "used") return renderOAuthFailurePage(locale, "reusedState");
  if (found.kind === "expired") return renderOAuthFailurePage(locale, "expiredState");
  if (found.kind !== "usable") return renderOAuthFailurePage(locale, "invalidState", 404);
  const { state } = found;
  const cookies: string[] = [];
  let browserDigest = state.browserDigest;
  if (browserDigest === null) {
    const binding = await createBrowserBinding();
    if (!(await markLinkPageOpened(app.database, { linkId, browserDigest: binding.digest, now: app.now() }))) {
      return renderAlreadyOpenedPage(app, locale, state.guildId);
    }
    browserDigest = binding.digest;
    const cookieOptions = {
      publicBaseUrl: app.config.publicBaseUrl,
      maxAgeSeconds: (state.expiresAt - app.now()) / 1000,
    };
    cookies.push(
      buildBindingCookie(twitchLinkFlow, binding, cookieOptions),
      buildBindingCookie(twitchLinkFlow, binding, { ...cookieOptions, path: `/twitch/link/${linkId}` }),
    );
  } else if (!(await isBoundBrowser(request, twitchLinkFlow, browserDigest))) {
    return renderAlreadyOpenedPage(app, locale, state.guildId);
  }
  const signedState = await signState(
    {
      guildId: state.guildId,
      userId: state.discordUserId,
      channelId: state.discordChannelId,
      nonce: state.nonce,
      browserDigest,
      expiresAt: state.expiresAt,
    },
    await getStateKey(app.config),
  );
  const page = renderMessagePage({
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
  for (const cookie of cookies) page.headers.append("set-cookie", cookie);
  return page;
}

/** Another browser opened this link first: nothing here continues to Twitch. */
function renderAlreadyOpenedPage(app: AppContext, locale: Locale, guildId: string): Response {
  app.log.warn("Twitch link page opened by a second browser", { guildId });
  return renderLinkFailurePage(locale, "linkPageAlreadyOpened", 409);
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

/** An OAuth failure of the Twitch link, worded as every flow words it (i18n/oauthFailures.ts). */
export function renderOAuthFailurePage(locale: Locale, failure: OAuthFailure, status = 400): Response {
  return renderMessagePage({
    locale,
    title: translate(locale, "callbackFailedTitle"),
    message: describeOAuthFailure(locale, "twitchLink", failure),
    status,
    success: false,
  });
}
