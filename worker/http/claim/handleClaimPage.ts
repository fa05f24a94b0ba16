import type { AppContext } from "../../context";
import { findClaimSummary } from "../../db/claims";
import type { Config } from "../../env";
import type { Locale } from "../../i18n/translate";
import { type BrowserBoundFlow, buildBindingCookie, createBrowserBinding } from "../../security/BrowserBinding";
import { resolveBrowserLocale } from "../renderMessagePage";
import { respondNotFound } from "../respondNotFound";
import { signClaimState } from "./claimState";
import { readClaimTexts } from "./claimTexts";
import { renderClaimPage } from "./renderClaimPage";

/** How long a claim sign-in may take, from the button to Twitch's redirect back. */
export const claimSignInLifetimeMilliseconds = 10 * 60 * 1000;

export const claimCallbackPath = "/claim/callback";

/** The claim sign-in's browser binding: its cookie goes to the claim callback only. */
export const claimSignInFlow: BrowserBoundFlow = { cookiePrefix: "liveloot_claim_", callbackPath: claimCallbackPath };

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
 * GET /claim/{claim}/sign-in: sends the browser to Twitch's consent page, asking for no scopes, with a
 * state signed for the claim, expiring in 10 minutes and naming the browser binding whose cookie this
 * answer sets (its digest is the state's nonce). Nothing is stored: the link is public, so anyone may
 * open it as often as they like; the callback records the nonce's one use.
 */
export async function handleClaimSignIn(request: Request, app: AppContext, publicId: string): Promise<Response> {
  const claim = claimIdPattern.test(publicId) ? await findClaimSummary(app.database, publicId, app.now()) : undefined;
  if (!claim) return respondNotFound(request);
  if (claim.status === "expired") {
    return renderExpiredClaimPage(resolveBrowserLocale(request.headers.get("accept-language")));
  }
  const binding = await createBrowserBinding();
  const expiresAt = app.now() + claimSignInLifetimeMilliseconds;
  const state = await signClaimState(app.config, { claimPublicId: publicId, nonce: binding.digest, expiresAt });
  const cookie = buildBindingCookie(claimSignInFlow, binding, {
    publicBaseUrl: app.config.publicBaseUrl,
    maxAgeSeconds: claimSignInLifetimeMilliseconds / 1000,
  });
  return new Response(null, {
    status: 302,
    headers: { location: buildClaimAuthorizeUrl(app.config, state), "cache-control": "no-store", "set-cookie": cookie },
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
