import type { AppContext } from "../context";
import { publishDrawsToOverlays } from "../overlay/publishToOverlay";
import type { AnnounceOutcome } from "./announceDraw";
import { announcePending } from "./announcePending";
import { type DrawableRaffle, type ManualDrawOutcome, makeDraw } from "./makeDraw";

/**
 * What /raffle draw came to. A draw also says how its announcement in the raffle's channel went:
 * `retry` (the outbox tries again), `channel_unavailable` (the channel is gone or closed to the
 * bot: the draw ended `failed` and the raffle paused), `failed` (given up), or undefined when a
 * tick had already claimed it (the outbox posts it).
 */
export type DrawNowOutcome =
  | Exclude<ManualDrawOutcome, { kind: "drawn" }>
  | (Extract<ManualDrawOutcome, { kind: "drawn" }> & { announcement: AnnounceOutcome | undefined });

/**
 * /raffle draw's use case: one winner now from everyone in chat, through the one draw path,
 * announced in the raffle's channel through the same outbox as the tick's (numbered, in the
 * server's language). The command only renders the outcome.
 */
export async function drawNow(app: AppContext, raffle: DrawableRaffle): Promise<DrawNowOutcome> {
  const outcome = await makeDraw(app, { kind: "manual", raffle });
  if (outcome.kind !== "drawn") return outcome;
  publishDrawsToOverlays(app, { drawIds: [outcome.drawId] });
  const counts = await announcePending(app, { drawIds: [outcome.drawId], includeDue: false });
  const announcement = (["delivered", "channel_unavailable", "failed", "retry"] as const).find(
    (kind) => counts[kind] > 0,
  );
  return { ...outcome, announcement };
}
