import { describe, expect, it } from "vitest";
import { describeOAuthFailure, type OAuthFailure } from "../../../worker/i18n/oauthFailures";
import type { Locale } from "../../../worker/i18n/translate";

const failures: OAuthFailure[] = ["invalidState", "expiredState", "reusedState", "denied", "notConfirmed"];
const locales: Locale[] = ["en-US", "pt-BR"];

describe("OAuth failures", () => {
  it("say what failed in the same words in the Twitch link and the claim sign-in, then each flow's next step", () => {
    for (const locale of locales) {
      for (const failure of failures) {
        const link = describeOAuthFailure(locale, "twitchLink", failure);
        const claim = describeOAuthFailure(locale, "claimSignIn", failure);
        const [linkFailure] = link.split(/(?<=\.) /);
        expect(claim.startsWith(`${linkFailure} `), `${locale} ${failure}: ${link} / ${claim}`).toBe(true);
        expect(link).not.toBe(claim);
      }
    }
    expect(describeOAuthFailure("en-US", "twitchLink", "invalidState")).toBe(
      "This link is not valid. Run `/twitch connect` in Discord again and use the new button.",
    );
    expect(describeOAuthFailure("pt-BR", "claimSignIn", "expiredState")).toBe(
      "Este link expirou. Abra o link de resgate de novo.",
    );
  });
});
