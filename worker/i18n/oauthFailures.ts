import { type Locale, type MessageKey, translate } from "./translate";

/** The ways an OAuth callback (the Twitch link, the claim sign-in, later Kick's) fails the same way. */
export type OAuthFailure = "invalidState" | "expiredState" | "reusedState" | "denied" | "notConfirmed";

/** Which flow failed: its page says what to do next. */
export type OAuthFlow = "twitchLink" | "claimSignIn";

const failureKeys: Record<OAuthFailure, MessageKey> = {
  invalidState: "oauthInvalidState",
  expiredState: "oauthExpiredState",
  reusedState: "oauthReusedState",
  denied: "oauthDenied",
  notConfirmed: "oauthNotConfirmed",
};

const nextStepKeys: Record<OAuthFlow, MessageKey> = {
  twitchLink: "oauthNextStepTwitchLink",
  claimSignIn: "oauthNextStepClaim",
};

/** One sentence for what failed, the same in every flow, then the flow's next step. */
export function describeOAuthFailure(locale: Locale, flow: OAuthFlow, failure: OAuthFailure): string {
  return `${translate(locale, failureKeys[failure])} ${translate(locale, nextStepKeys[flow])}`;
}
