import type { AppContext } from "../../context";
import { findClaimSummary, startClaimSignIn } from "../../db/claims";
import type { Config } from "../../env";
import type { Locale } from "../../i18n/translate";
import { encodeBase64Url } from "../../security/base64";
import { resolveBrowserLocale } from "../renderMessagePage";
import { respondNotFound } from "../respondNotFound";
import { signClaimState } from "./claimState";
import { readClaimTexts } from "./claimTexts";
import { renderClaimPage } from "./renderClaimPage";

/** How long a claim sign-in may take, from the button to Twitch's redirect back. */
export const claimSignInLifetimeMilliseconds = 10 * 60 * 1000;

export const claimCallbackPath = "/claim/callback";

const claimIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * GET /claim/{claim}: what was won, where, by whom (as the announcement says), whether it can still be
 * claimed, and the sign-in button. A malformed or unknown id is a 404; an expired claim a 410.
 */
export async function handleClaimPage(request: Request, app: AppContext, publicId: string): Promise<Response> {
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const claim = claimIdPattern.test(publicId) ? await findClaimSummary(app.database, publicId, app.now()) : undefined;
  if (!claim) return respondNotFound(request);
  if (claim.status === "expired") return renderExpiredClaimPage(locale);
  const texts = readClaimTexts(locale);
  const paragraphs =
    claim.status === "claimed"
      ? [texts.claimedBody(claim.winnerDisplayName)]
      : [
          texts.openBody(
            claim.winnerDisplayName,
            Math.max(1, Math.ceil((claim.expiresAt - app.now()) / 60_000)),
            new Date(claim.expiresAt).toISOString().slice(11, 16),
          ),
          texts.noScopes,
        ];
  return renderClaimPage({
    locale,
    title: texts.pageTitle,
    heading: texts.heading(claim.itemName, claim.channelLogin),
    paragraphs,
    status: 200,
    success: true,
    link: { href: `/claim/${encodeURIComponent(claim.publicId)}/sign-in`, label: texts.signInButton },
  });
}

/**
 * GET /claim/{claim}/sign-in: stores a single-use nonce bound to the claim (10 minutes) and sends the
 * browser to Twitch's consent page, asking for no scopes.
 */
export async function handleClaimSignIn(request: Request, app: AppContext, publicId: string): Promise<Response> {
  if (!claimIdPattern.test(publicId)) return respondNotFound(request);
  const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const expiresAt = app.now() + claimSignInLifetimeMilliseconds;
  const started = await startClaimSignIn(app.database, { publicId, nonce, expiresAt, now: app.now() });
  if (started.kind === "unknown") return respondNotFound(request);
  if (started.kind === "expired") {
    return renderExpiredClaimPage(resolveBrowserLocale(request.headers.get("accept-language")));
  }
  const state = await signClaimState(app.config, { claimPublicId: publicId, nonce, expiresAt });
  return new Response(null, {
    status: 302,
    headers: { location: buildClaimAuthorizeUrl(app.config, state), "cache-control": "no-store" },
  });
}

/** Twitch's consent page for the claim sign-in: authorization code, no scopes. */
export function buildClaimAuthorizeUrl(
  config: Pick<Config, "twitchAuthBaseUrl" | "twitchClientId" | "publicBaseUrl">,
  state: string,
): string {
  const url = new URL(`${config.twitchAuthBaseUrl}/authorize`);
  url.searchParams.set("client_id", config.twitchClientId);
  url.searchParams.set("redirect_uri", `${config.publicBaseUrl}${claimCallbackPath}`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", "");
  url.searchParams.set("state", state);
  return url.toString();
}

export function renderExpiredClaimPage(locale: Locale): Response {
  const texts = readClaimTexts(locale);
  return renderClaimPage({
    locale,
    title: texts.expiredTitle,
    heading: texts.expiredTitle,
    paragraphs: [texts.expiredBody],
    status: 410,
    success: false,
  });
}
