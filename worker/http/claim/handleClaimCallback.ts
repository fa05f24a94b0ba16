import type { AppContext } from "../../context";
import { claimPrize, findClaimPrize, type SealedPrizeCode, useClaimSignIn } from "../../db/claims";
import { describeOAuthFailure, type OAuthFailure } from "../../i18n/oauthFailures";
import type { Locale } from "../../i18n/translate";
import { publishClaimToOverlay } from "../../overlay/publishToOverlay";
import { editClaimedAnnouncement } from "../../raffle/claimedEdits";
import { lootCodePurpose } from "../../raffle/lootCodes";
import { isBoundBrowser } from "../../security/BrowserBinding";
import { getTokenCipher } from "../../security/keys";
import { UnreadableSecretError } from "../../security/TokenCipher";
import { exchangeCode, revokeToken, validateAccessToken } from "../../twitch/TwitchAuthClient";
import { resolveBrowserLocale } from "../renderMessagePage";
import { verifyClaimState } from "./claimState";
import { type ClaimTexts, readClaimTexts } from "./claimTexts";
import { claimCallbackPath, claimSignInFlow, renderExpiredClaimPage } from "./handleClaimPage";
import { renderClaimPage } from "./renderClaimPage";

/**
 * GET /claim/callback: Twitch's redirect after the claim sign-in. The signed single-use state comes
 * first, back in the browser that began the sign-in (its cookie; a bad state, or one from another
 * browser, changes nothing and exchanges nothing); then the code is exchanged, the token
 * asked whose it is and revoked at once, never stored. Only the claim's winner gets past that: the
 * prize code (if any) is opened, then the claim is taken (the announcement edited in the background)
 * and the prize shown; anyone else gets a 403 that names nothing. A code that does not open (its key
 * removed too early) leaves the claim as it was, is logged, and the winner is told who to ask.
 */
export async function handleClaimCallback(request: Request, app: AppContext): Promise<Response> {
  const url = new URL(request.url);
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const texts = readClaimTexts(locale);
  const failOAuth = (failure: OAuthFailure, status = 400) =>
    fail(describeOAuthFailure(locale, "claimSignIn", failure), status);
  const fail = (message: string, status = 400) =>
    renderClaimPage({
      locale,
      title: texts.failedTitle,
      heading: texts.failedTitle,
      paragraphs: [message],
      status,
      success: false,
    });

  const verification = await verifyClaimState(app.config, url.searchParams.get("state") ?? "", app.now());
  if (!verification.ok) {
    app.log.warn("claim callback with a bad state", { reason: verification.reason });
    return failOAuth(verification.reason === "expired" ? "expiredState" : "invalidState");
  }
  const { claimPublicId, nonce, expiresAt } = verification.claims;
  if (!(await isBoundBrowser(request, claimSignInFlow, nonce))) {
    app.log.warn("claim callback from a browser that did not begin the sign-in", { claimId: claimPublicId });
    return failOAuth("invalidState");
  }
  const use = await useClaimSignIn(app.database, { publicId: claimPublicId, nonce, expiresAt, now: app.now() });
  if (use.kind !== "first") {
    app.log.warn("claim callback with a used or unknown state", { claimId: claimPublicId });
    return failOAuth("reusedState");
  }
  const { claimId } = use;
  if (url.searchParams.get("error")) return failOAuth("denied");
  const code = url.searchParams.get("code");
  if (!code) return failOAuth("invalidState");

  const twitchUserId = await identifyTwitchUser(app, code);
  if (!twitchUserId) return failOAuth("notConfirmed", 502);

  const notYours = () =>
    renderClaimPage({
      locale,
      title: texts.notYoursTitle,
      heading: texts.notYoursTitle,
      paragraphs: [texts.notYoursBody],
      status: 403,
      success: false,
    });
  const prize = await findClaimPrize(app.database, { claimId, twitchUserId, now: app.now() });
  if (prize.kind === "notWinner") {
    app.log.info("claim refused: not the winner", { claimId });
    return notYours();
  }
  let opened: { sealId: string; value: string } | undefined;
  if (prize.kind === "claimable" && prize.code) {
    const value = await openPrizeCode(app, claimId, prize.code);
    if (value === undefined) return renderUnreadablePage(locale, texts, prize.channelLogin);
    opened = { sealId: prize.code.sealId, value };
  }

  const decision = await claimPrize(app.database, {
    claimId,
    twitchUserId,
    now: app.now(),
    openedSealId: opened?.sealId,
  });
  if (decision.kind === "notWinner") {
    app.log.info("claim refused: not the winner", { claimId });
    return notYours();
  }
  if (decision.kind === "expired") return renderExpiredClaimPage(locale);
  if (decision.justClaimed) {
    app.log.info("prize claimed", { claimId, hasCode: decision.code !== undefined });
    if (decision.announcement) app.runInBackground(editClaimedAnnouncement(app, decision.announcement));
    publishClaimToOverlay(app, claimId);
  }
  const heading = texts.heading(decision.itemName, decision.channelLogin);
  if (!decision.code) {
    return renderClaimPage({
      locale,
      title: texts.claimedTitle,
      heading,
      paragraphs: [texts.claimedNoCode(decision.channelLogin)],
      status: 200,
      success: true,
    });
  }
  // The code opened above, unless the draw's code changed meanwhile (then it is opened now).
  const prizeCode =
    opened?.sealId === decision.code.sealId ? opened.value : await openPrizeCode(app, claimId, decision.code);
  if (prizeCode === undefined) return renderUnreadablePage(locale, texts, decision.channelLogin);
  return renderPrizeCodePage(locale, texts, heading, prizeCode);
}

/**
 * The prize code in clear, or undefined when it does not open: its key is no longer configured
 * (TOKEN_ENCRYPTION_KEY_PREVIOUS removed before /admin/keys said 0) or its bytes do not
 * authenticate. Logged once, with the key's public id, never the code or its sealed bytes.
 */
async function openPrizeCode(app: AppContext, claimId: string, code: SealedPrizeCode): Promise<string | undefined> {
  const cipher = await getTokenCipher(app.config);
  try {
    return await cipher.open(code, lootCodePurpose(code.itemId, code.sealId));
  } catch (error) {
    if (!(error instanceof UnreadableSecretError)) throw error;
    app.log.error("a prize code does not open; the claim was left as it was", {
      claimId,
      keyId: error.keyId,
      reason: error.name,
    });
    return undefined;
  }
}

/** The winner, signed in, whose code cannot be opened now: who to ask; nothing was changed. */
function renderUnreadablePage(locale: Locale, texts: ClaimTexts, channelLogin: string): Response {
  return renderClaimPage({
    locale,
    title: texts.unreadableTitle,
    heading: texts.unreadableTitle,
    paragraphs: [texts.unreadableBody(channelLogin)],
    status: 503,
    success: false,
  });
}

function renderPrizeCodePage(locale: Locale, texts: ClaimTexts, heading: string, prizeCode: string): Response {
  return renderClaimPage({
    locale,
    title: texts.claimedTitle,
    heading,
    paragraphs: [],
    status: 200,
    success: true,
    code: {
      value: prizeCode,
      label: texts.codeLabel,
      copy: texts.copyButton,
      copied: texts.copied,
      note: texts.codeNote,
    },
  });
}

/**
 * The Twitch user id behind an authorization code, or undefined when Twitch does not confirm one. The
 * token is used for /oauth2/validate only and revoked before this returns; it is never stored.
 */
async function identifyTwitchUser(app: AppContext, code: string): Promise<string | undefined> {
  let accessToken: string;
  try {
    accessToken = (await exchangeCode(app.config, code, app.now(), claimCallbackPath)).accessToken;
  } catch (error) {
    app.log.warn("claim sign-in: Twitch code exchange failed", { error });
    return undefined;
  }
  try {
    return (await validateAccessToken(app.config, accessToken))?.userId;
  } catch (error) {
    app.log.warn("claim sign-in: Twitch token validation failed", { error });
    return undefined;
  } finally {
    await revokeToken(app.config, accessToken).catch((error: unknown) =>
      app.log.warn("claim sign-in: Twitch did not confirm the token's revocation", { error }),
    );
  }
}
