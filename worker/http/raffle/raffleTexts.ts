import { type Locale, type MessageKey, translate } from "../../i18n/translate";

/** The public raffle page's words, from the language files (`raffle*` keys in worker/i18n/). */
export interface RaffleTexts {
  pageTitle(channel: string): string;
  heading(channel: string): string;
  status: Record<"running" | "paused" | "stopped", string>;
  rulesHeading: string;
  every(minutes: number): string;
  cooldown(minutes: number): string;
  luckOff: string;
  luckOn: string;
  gatesNone: string;
  /** `list`: the gates in force, as describeGates words them. */
  gates(list: string): string;
  streamerRulesHeading: string;
  /** The raffle's terms are versioned: a restart with new settings or a re-link starts a new version. */
  termsChannel(channel: string): string;
  termsChangedNote: string;
  latestTermsHeading(version: number): string;
  termsVersion(version: number): string;
  /** A draw's row naming the channel it was drawn in. */
  channel: string;
  disclaimer(channel: string): string;
  /** The English sentence Twitch's rules ask for, shown beside a translation; null on the English page. */
  disclaimerOriginalLabel: string | null;
  fairnessHeading: string;
  fairnessParagraphs: string[];
  /** The link to the algorithm to the byte: docs/fairness.md as a page (`/docs/fairness`), in English. */
  fairnessDocLink: string;
  notCoveredHeading: string;
  notCoveredParagraphs: string[];
  drawsHeading: string;
  noDraws: string;
  truncated(shown: number, total: number): string;
  drawLabel(drawNumber: number | null): string;
  manualDraw: string;
  time: string;
  winner: string;
  item: string;
  entrants: string;
  round: string;
  notVerifiable: string;
  legacyDraw: string;
  /** The row of the first winner's claim, and of each redraw after an unclaimed prize. */
  claim: string;
  redrawLabel(n: number): string;
  /** A claim's status; `redrawn`: it expired and the prize was drawn again. */
  claimStatus: Record<"open" | "claimed" | "expired" | "redrawn", string>;
  verifyButton: string;
  downloadsHeading: string;
  downloadJson: string;
  downloadCsv: string;
  verifyCommand: string;
  /** Messages of the in-browser Verify (page/verify.ts). */
  verify: VerifyTexts;
}

export interface VerifyTexts {
  checking: string;
  verified: string;
  verifiedNotPublic: string;
  mismatch: string;
  badSignature: string;
  unavailable: string;
}

export function readRaffleTexts(locale: Locale): RaffleTexts {
  const say = (key: MessageKey, parameters: Record<string, string | number> = {}) => translate(locale, key, parameters);
  const originalLabel = say("raffleDisclaimerOriginalLabel");
  return {
    pageTitle: (channel) => say("rafflePageTitle", { channel }),
    heading: (channel) => say("raffleHeading", { channel }),
    status: {
      running: say("raffleStatusRunning"),
      paused: say("raffleStatusPaused"),
      stopped: say("raffleStatusStopped"),
    },
    rulesHeading: say("raffleRulesHeading"),
    every: (minutes) => (minutes === 1 ? say("raffleEveryOne") : say("raffleEvery", { minutes })),
    cooldown: (minutes) =>
      minutes === 0
        ? say("raffleCooldownNone")
        : minutes === 1
          ? say("raffleCooldownOne")
          : say("raffleCooldown", { minutes }),
    luckOff: say("raffleLuckOff"),
    luckOn: say("raffleLuckOn"),
    gatesNone: say("raffleGatesNone"),
    gates: (list) => say("raffleGates", { list }),
    streamerRulesHeading: say("raffleStreamerRulesHeading"),
    termsChannel: (channel) => say("raffleTermsChannel", { channel }),
    termsChangedNote: say("raffleTermsChangedNote"),
    latestTermsHeading: (version) => say("raffleLatestTermsHeading", { version }),
    termsVersion: (version) => say("raffleTermsVersion", { version }),
    channel: say("raffleChannel"),
    disclaimer: (channel) => say("raffleDisclaimer", { channel }),
    // English needs no translation of Twitch's sentence beside it: the label is empty there.
    disclaimerOriginalLabel: originalLabel === "" ? null : originalLabel,
    fairnessHeading: say("raffleFairnessHeading"),
    fairnessParagraphs: [say("raffleFairnessParagraph1"), say("raffleFairnessParagraph2")],
    fairnessDocLink: say("raffleFairnessDocLink"),
    notCoveredHeading: say("raffleNotCoveredHeading"),
    notCoveredParagraphs: [say("raffleNotCoveredParagraph1"), say("raffleNotCoveredParagraph2")],
    drawsHeading: say("raffleDrawsHeading"),
    noDraws: say("raffleNoDraws"),
    truncated: (shown, total) => say("raffleTruncated", { shown, total }),
    drawLabel: (drawNumber) =>
      drawNumber === null ? say("raffleDrawLabelUnnumbered") : say("raffleDrawLabel", { number: drawNumber }),
    manualDraw: say("raffleManualDraw"),
    time: say("raffleTime"),
    winner: say("raffleWinner"),
    item: say("raffleItem"),
    entrants: say("raffleEntrants"),
    round: say("raffleRound"),
    notVerifiable: say("raffleNotVerifiable"),
    legacyDraw: say("raffleLegacyDraw"),
    claim: say("raffleClaim"),
    redrawLabel: (n) => say("raffleRedrawLabel", { n }),
    claimStatus: {
      open: say("raffleClaimStatusOpen"),
      claimed: say("raffleClaimStatusClaimed"),
      expired: say("raffleClaimStatusExpired"),
      redrawn: say("raffleClaimStatusRedrawn"),
    },
    verifyButton: say("raffleVerifyButton"),
    downloadsHeading: say("raffleDownloadsHeading"),
    downloadJson: say("raffleDownloadJson"),
    downloadCsv: say("raffleDownloadCsv"),
    verifyCommand: say("raffleVerifyCommand"),
    verify: {
      checking: say("raffleVerifyChecking"),
      verified: say("raffleVerifyVerified"),
      verifiedNotPublic: say("raffleVerifyVerifiedNotPublic"),
      mismatch: say("raffleVerifyMismatch"),
      badSignature: say("raffleVerifyBadSignature"),
      unavailable: say("raffleVerifyUnavailable"),
    },
  };
}
