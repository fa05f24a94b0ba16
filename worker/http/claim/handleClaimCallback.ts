import type { AppContext } from "../../context";
import { claimPrize, consumeClaimSignIn } from "../../db/claims";
import type { Locale } from "../../i18n/translate";
import { publishClaimToOverlay } from "../../overlay/publishToOverlay";
import { editClaimedAnnouncement } from "../../raffle/claimedEdits";
import { lootCodePurpose } from "../../raffle/lootCodes";
import { getTokenCipher } from "../../security/keys";
import { exchangeCode, revokeToken, validateAccessToken } from "../../twitch/TwitchAuthClient";
import { resolveBrowserLocale } from "../renderMessagePage";
import { verifyClaimState } from "./claimState";
import { type ClaimTexts, readClaimTexts } from "./claimTexts";
import { claimCallbackPath, renderExpiredClaimPage } from "./handleClaimPage";
import { renderClaimPage } from "./renderClaimPage";

/**
 * GET /claim/callback: Twitch's redirect after the claim sign-in. The signed single-use state comes
 * first (a bad one changes nothing and exchanges nothing); then the code is exchanged, the token
 * asked whose it is and revoked at once, never stored. Only the claim's winner gets past that: the
 * claim is taken (the announcement edited in the background) and the prize shown; anyone else gets
 * a 403 that names nothing.
 */
export async function handleClaimCallback(request: Request, app: AppContext): Promise<Response> {
  const url = new URL(request.url);
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const texts = readClaimTexts(locale);
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
    return fail(verification.reason === "expired" ? texts.expiredState : texts.invalidState);
  }
  const { claimPublicId, nonce } = verification.claims;
  const claimId = await consumeClaimSignIn(app.database, { publicId: claimPublicId, nonce, now: app.now() });
  if (!claimId) {
    app.log.warn("claim callback with a used or unknown state", { claimId: claimPublicId });
    return fail(texts.reusedState);
  }
  if (url.searchParams.get("error")) return fail(texts.denied);
  const code = url.searchParams.get("code");
  if (!code) return fail(texts.invalidState);

  const twitchUserId = await identifyTwitchUser(app, code);
  if (!twitchUserId) return fail(texts.twitchFailed, 502);

  const decision = await claimPrize(app.database, { claimId, twitchUserId, now: app.now() });
  if (decision.kind === "notWinner") {
    app.log.info("claim refused: not the winner", { claimId });
    return renderClaimPage({
      locale,
      title: texts.notYoursTitle,
      heading: texts.notYoursTitle,
      paragraphs: [texts.notYoursBody],
      status: 403,
      success: false,
    });
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
  const cipher = await getTokenCipher(app.config);
  const prizeCode = await cipher.open(decision.code, lootCodePurpose(decision.code.itemId, decision.code.sealId));
  return renderPrizeCodePage(locale, texts, heading, prizeCode);
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
