import type { AppContext } from "../context";
import { type ChannelHold, leaseDueHolds, listWaitingPosts, postponeHold, type WaitingPost } from "../db/channelHolds";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import type { AnnounceResult, OutboxPass } from "./announceDraw";
import { channelProbeIntervalMinutes } from "./announcementRetry";
import { reopenRaffleChannel } from "./channelHolds";
import { deliverSelection, type OutboxSelection } from "./deliverOutbox";

/** Held channels one tick probes (oldest probe first, so every held channel gets its turn). */
const holdsPerTick = 20;
/** Waiting posts one probe delivers; more are left for the next tick, the channel still held. */
const postsPerProbe = 50;
/** A probe that met a rate limit or a server error tries again this soon, not in 10 minutes. */
const retrySoonMilliseconds = 60_000;

/**
 * The tick's probe of channels Discord refused (SPEC "The draw"): each held channel whose probe is
 * due is tried with its oldest waiting post, at most every 10 minutes (the lease pushes the next
 * probe that far). When it goes through, the rest follow one by one, in the order they were
 * recorded, then the hold ends and its raffles resume (lifecycle.ts). Still refused: it waits.
 */
export async function retryHeldChannels(app: AppContext, pass: OutboxPass): Promise<AnnounceResult[]> {
  const holds = await leaseDueHolds(app.database, {
    now: app.now(),
    leaseUntil: app.now() + channelProbeIntervalMinutes * 60_000,
    limit: holdsPerTick,
  });
  // Channels side by side, each channel's posts one after another (they keep their order).
  const drained = await mapWithConcurrency(holds, outsideCallConcurrency, (hold) =>
    pass.blockedUntil === undefined ? drainChannel(app, hold, pass) : Promise.resolve([]),
  );
  return drained.flat();
}

async function drainChannel(app: AppContext, hold: ChannelHold, pass: OutboxPass): Promise<AnnounceResult[]> {
  const waiting = await listWaitingPosts(app.database, hold, postsPerProbe);
  const results: AnnounceResult[] = [];
  for (const post of waiting) {
    const [result] = pass.blockedUntil === undefined ? await deliverSelection(app, selectPost(post), pass) : [];
    if (pass.blockedUntil !== undefined) {
      // Discord's Cloudflare refuses everything for now: the probe goes on when the block ends.
      await postponeHold(app.database, hold, pass.blockedUntil);
      return result ? [...results, result] : results;
    }
    if (result === undefined) continue;
    results.push(result);
    // A post given up for good (a body Discord refuses) no longer waits; anything else stops here.
    if (result.outcome !== "delivered" && result.outcome !== "failed") {
      if (result.outcome === "retry") await postponeHold(app.database, hold, app.now() + retrySoonMilliseconds);
      return results;
    }
  }
  if (waiting.length === postsPerProbe) await postponeHold(app.database, hold, app.now());
  else await reopenRaffleChannel(app, hold);
  return results;
}

function selectPost(post: WaitingPost): OutboxSelection {
  return {
    drawIds: post.kind === "draw" ? [post.id] : [],
    claimIds: post.kind === "redraw" ? [post.id] : [],
    noticeIds: post.kind === "notice" ? [post.id] : [],
    includeDue: false,
    includeHeld: true,
  };
}
