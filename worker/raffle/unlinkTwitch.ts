import type { AppContext } from "../context";
import { deleteTwitchLink, findTwitchLink } from "../db/twitchLinks";
import { describeError } from "../log";
import { deleteSubscriptions } from "../twitch/eventSubSubscriptions";
import { revokeLinkTokens } from "../twitch/userTokens";
import { stopRaffle } from "./lifecycle";

export type UnlinkResult =
  | { kind: "notLinked" }
  | { kind: "unlinked"; twitchLogin: string; raffleStopped: boolean; tokensRevoked: boolean };

/**
 * /twitch disconnect: revokes the tokens at Twitch, lets go of the EventSub subscriptions no other
 * server needs, stops the raffle and deletes the link. The link is deleted whatever Twitch says:
 * a token Twitch will not revoke, or that no longer opens, must not keep a server linked.
 */
export async function unlinkTwitch(app: AppContext, guildId: string): Promise<UnlinkResult> {
  const link = await findTwitchLink(app.database, guildId);
  if (!link) return { kind: "notLinked" };
  const tokensRevoked = await revokeLinkTokens(app, link);
  try {
    await deleteSubscriptions(app, guildId);
  } catch (error) {
    app.log.warn("could not delete the EventSub subscriptions; unlinking anyway", {
      error: describeError(error),
      guildId,
    });
  }
  const stopped = await stopRaffle(app, guildId, "twitch_disconnected");
  await deleteTwitchLink(app.database, guildId);
  app.log.info("Twitch link removed", { guildId, revoked: tokensRevoked, raffleStopped: Boolean(stopped) });
  return { kind: "unlinked", twitchLogin: link.twitchLogin, raffleStopped: Boolean(stopped), tokensRevoked };
}
