import type { AppContext } from "../context";
import { listLinksDueForValidation, markValidated } from "../db/twitchLinks";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { syncSubscriptions } from "./eventSubSubscriptions";
import { validateAccessToken } from "./TwitchAuthClient";
import { openAccessToken, refreshLink, TwitchNeedsReauthError, TwitchNotLinkedError } from "./userTokens";

/**
 * Per tick: 1,200 links an hour, four at a time, without crowding out the draws (each costs a
 * subrequest, and the Free plan allows 50 per invocation).
 */
const linksPerTick = 20;

/**
 * Twitch requires every stored user token to be validated hourly. A token Twitch no longer
 * accepts is refreshed; if the refresh token is dead too (or a token no longer opens), the link
 * is marked needs_reauth, and what that means for the raffle is the caller's to decide
 * (raffle/twitchAccess.ts).
 */
export async function validateDueLinks(app: AppContext): Promise<{ validated: number; failed: number }> {
  const links = await listLinksDueForValidation(app.database, app.now(), linksPerTick);
  let validated = 0;
  let failed = 0;
  await mapWithConcurrency(links, outsideCallConcurrency, async (link) => {
    try {
      let identity = await validateAccessToken(app.config, await openAccessToken(app, link));
      if (!identity) {
        const refreshed = await refreshLink(app, link);
        identity = await validateAccessToken(app.config, await openAccessToken(app, refreshed));
      }
      if (!identity) throw new Error("Twitch rejected a freshly refreshed token");
      await markValidated(app.database, link.guildId, app.now());
      validated += 1;
      // The hourly check is also when missing or revoked EventSub subscriptions are repaired.
      await syncSubscriptions(app, { guildId: link.guildId, twitchUserId: link.twitchUserId, scopes: identity.scopes });
    } catch (error) {
      failed += 1;
      // Recorded on the link (needs_reauth), or the link changed under us: nothing to retry.
      if (!(error instanceof TwitchNeedsReauthError || error instanceof TwitchNotLinkedError)) {
        app.log.warn("Twitch token validation failed; will retry next tick", {
          error,
          guildId: link.guildId,
        });
      }
    }
  });
  return { validated, failed };
}
