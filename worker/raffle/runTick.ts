import { type AppContext, closeAppContext, createAppContext } from "../context";
import { type DueRaffle, findDueRaffles } from "../db/dueRaffles";
import { purgeOldEventSubMessages } from "../db/eventSubMessages";
import { deleteExpiredOAuthStates } from "../db/oauthStates";
import { readConfig, type WorkerBindings } from "../env";
import { createLogger, describeError } from "../log";
import { publishDrawsToOverlays } from "../overlay/publishToOverlay";
import { announcePending } from "./announcePending";
import { gatedRaffleWeight } from "./applyGates";
import { readLiveness } from "./checkLiveness";
import { finishClaimedEdits } from "./claimedEdits";
import { countOutcomes, type DrawOutcome } from "./drawOutcome";
import type { DrawMessage } from "./drawQueue";
import { expireClaims } from "./expireClaims";
import { listGates } from "./gates";
import { readCachedSamples } from "./gatherCandidates";
import { makeDraws } from "./makeDraw";
import { maintainTwitchLinks } from "./twitchAccess";

/** Raffles one tick looks at; more wait for the next minute (live channels first, then oldest slot). */
const maximumDueRaffles = 5_000;

/**
 * The Cron Trigger. "Now" is the controller's scheduledTime, never the wall clock, so a
 * minute can be replayed: make_raffle's unique slot makes a replayed or overlapping tick add nothing.
 */
export async function runTick(
  controller: Pick<ScheduledController, "scheduledTime">,
  bindings: WorkerBindings,
  execution: ExecutionContext,
): Promise<void> {
  const log = createLogger({ tickId: crypto.randomUUID(), scheduledTime: controller.scheduledTime });
  const configResult = readConfig(bindings);
  if (!configResult.ok) {
    log.error("tick skipped: configuration is invalid; see /health", {
      invalid: configResult.problems.map((entry) => entry.name).join(", "),
    });
    return;
  }
  const app = createAppContext({
    config: configResult.config,
    log,
    execution,
    now: () => controller.scheduledTime,
    databaseTransport: "websocket",
    overlays: bindings.OVERLAY,
  });
  try {
    await runTickSteps(app, bindings);
  } catch (error) {
    log.error("tick failed", { error });
    throw error;
  } finally {
    closeAppContext(app);
  }
}

async function runTickSteps(app: AppContext, bindings: WorkerBindings): Promise<void> {
  const slotAt = Math.floor(app.now() / 60_000) * 60_000;
  const due = await findDueRaffles(app.database, slotAt, maximumDueRaffles);
  const liveness = due.length > 0 ? await readLiveness(app, due) : new Map<string, boolean>();
  const isLive = (raffle: DueRaffle) => liveness.get(raffle.twitchBroadcasterId);
  const live = due.filter((raffle) => isLive(raffle) === true);
  // A gated raffle's slot may ask Twitch about its viewers (raffle/applyGates.ts): it weighs as
  // `gatedRaffleWeight` raffles against the threshold, so the tick stays within its subrequests.
  const tickWeight = live.reduce(
    (sum, raffle) => sum + (listGates(raffle.gates).length > 0 ? gatedRaffleWeight : 1),
    0,
  );
  const fanOut = bindings.DRAW_QUEUE !== undefined && tickWeight > app.config.tickFanoutThreshold;

  let fannedOut = 0;
  let failed = 0;
  if (fanOut && bindings.DRAW_QUEUE) {
    const messages: DrawMessage[] = live.map((raffle) => ({ raffleId: raffle.id, slotAt }));
    for (let start = 0; start < messages.length; start += 100) {
      await bindings.DRAW_QUEUE.sendBatch(messages.slice(start, start + 100).map((body) => ({ body })));
    }
    fannedOut = messages.length;
  }
  // Every due raffle goes through the one draw path, which settles an offline (or unchecked)
  // channel's slot at once; live ones are drawn here unless the queue consumer draws them.
  const drawnHere = fanOut ? due.filter((raffle) => isLive(raffle) !== true) : due;
  const cached = await readCachedSamples(
    app,
    drawnHere.filter((raffle) => isLive(raffle) === true).map((raffle) => raffle.twitchBroadcasterId),
  );
  // One read of every slot's entrants and one beacon round for the whole tick (drawSlots.ts).
  const settled = await makeDraws(
    app,
    drawnHere.map((raffle) => ({
      kind: "scheduled" as const,
      raffle,
      slotAt,
      live: isLive(raffle),
      cached: cached.get(raffle.twitchBroadcasterId),
    })),
  );
  const outcomes: DrawOutcome[] = [];
  settled.forEach((result, index) => {
    if (result.status === "fulfilled") {
      outcomes.push(result.value);
      return;
    }
    // One failing raffle never blocks the others; its slot stays open for the next tick.
    const raffle = drawnHere[index] as DueRaffle;
    app.log.error("raffle slot failed", {
      error: describeError(result.reason),
      raffleId: raffle.id,
      guildId: raffle.guildId,
    });
    failed += 1;
  });
  const drawIds = outcomes.flatMap((outcome) => (outcome.kind === "drawn" ? [outcome.drawId] : []));
  const counts = countOutcomes(outcomes);
  // Unclaimed prizes past their window: expired, redrawn (or their code back in stock), and the
  // redraws announced below with the draws.
  const claims = await expireClaims(app);
  publishDrawsToOverlays(app, { drawIds, redrawClaimIds: claims.redrawnClaimIds });
  const announced = await announcePending(app, { drawIds, includeDue: true, claimIds: claims.redrawnClaimIds });
  const claimedEdits = await finishClaimedEdits(app);
  const validation = await maintainTwitchLinks(app);
  await deleteExpiredOAuthStates(app.database, app.now());
  const purgedEventSubMessages = await purgeOldEventSubMessages(app.database, app.now());
  app.log.info("tick finished", {
    slotAt: new Date(slotAt).toISOString(),
    dueRaffles: due.length,
    liveRaffles: live.length,
    fannedOut,
    ...counts,
    failed,
    announced: announced.delivered,
    announcementRetries: announced.retry,
    claimsRedrawn: claims.redrawnClaimIds.length,
    claimsEnded: claims.ended,
    codesReturned: claims.codesReturned,
    claimExpiryFailures: claims.failed,
    linksValidated: validation.validated,
    linkValidationFailures: validation.failed,
    purgedEventSubMessages,
    claimedEdits,
    databaseQueries: app.database.queryCount,
  });
}
