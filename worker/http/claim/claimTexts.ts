import { type Locale, translate } from "../../i18n/translate";

/** The claim pages' words, from the language files (`claim*` keys in worker/i18n/en-US.ts, pt-BR.ts). */
export interface ClaimTexts {
  pageTitle: string;
  heading(item: string, channel: string): string;
  openBody(winner: string, minutes: number, time: string): string;
  claimedBody(winner: string): string;
  noScopes: string;
  signInButton: string;
  expiredTitle: string;
  expiredBody: string;
  codeLabel: string;
  copyButton: string;
  copied: string;
  codeNote: string;
  claimedTitle: string;
  claimedNoCode(channel: string): string;
  unreadableTitle: string;
  unreadableBody(channel: string): string;
  notYoursTitle: string;
  notYoursBody: string;
  failedTitle: string;
}

export function readClaimTexts(locale: Locale): ClaimTexts {
  const say = (key: Parameters<typeof translate>[1], parameters: Record<string, string | number> = {}) =>
    translate(locale, key, parameters);
  return {
    pageTitle: say("claimPageTitle"),
    heading: (item, channel) => say("claimHeading", { item, channel }),
    openBody: (winner, minutes, time) =>
      say(minutes === 1 ? "claimOpenBodyOne" : "claimOpenBody", { winner, minutes, time }),
    claimedBody: (winner) => say("claimClaimedBody", { winner }),
    noScopes: say("claimNoScopes"),
    signInButton: say("claimSignInButton"),
    expiredTitle: say("claimExpiredTitle"),
    expiredBody: say("claimExpiredBody"),
    codeLabel: say("claimCodeLabel"),
    copyButton: say("claimCopyButton"),
    copied: say("claimCopied"),
    codeNote: say("claimCodeNote"),
    claimedTitle: say("claimClaimedTitle"),
    claimedNoCode: (channel) => say("claimClaimedNoCode", { channel }),
    unreadableTitle: say("claimUnreadableTitle"),
    unreadableBody: (channel) => say("claimUnreadableBody", { channel }),
    notYoursTitle: say("claimNotYoursTitle"),
    notYoursBody: say("claimNotYoursBody"),
    failedTitle: say("claimFailedTitle"),
  };
}
