import { type AppContext, closeAppContext, createAppContext } from "../context";
import { type DueRaffle, findDueRaffles } from "../db/dueRaffles";
import { purgeOldEventSubMessages } from "../db/eventSubMessages";
import { deleteExpiredOAuthStates } from "../db/oauthStates";
import { listGates } from "../domain/gates";
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
import { readCachedSamples } from "./gatherCandidates";
import { makeDraws } from "./makeDraw";
import { resealSecrets } from "./resealSecrets";
import { maintainTwitchLinks } from "./twitchAccess";

/** Raffles one tick looks at; more wait for the next minute (live channels first, then oldest slot). */
const maximumDueRaffles = 5_000;

/**
 * The Cron Trigger. "Now" is the controller's scheduledTime, never the wall clock, so a
 * minute can be replayed: record_draw's unique slot makes a replayed or overlapping tick add nothing.
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
  let failures: TickStepFailure[];
  try {
    failures = await runTickSteps(app, { slotAt: Math.floor(app.now() / 60_000) * 60_000, bindings });
  } catch (error) {
    log.error("tick failed", { error });
    throw error;
  } finally {
    closeAppContext(app);
  }
  // Each step's error is logged once, with its step; the run still fails, so Cloudflare records it.
  const [firstFailure] = failures;
  if (firstFailure) {
    log.error("tick failed", { failedSteps: failures.map((failure) => failure.step).join(", ") });
    throw firstFailure.error;
  }
}

/** What the tick's steps share: its slot minute, and what one step hands to a later one. */
export interface TickState {
  readonly slotAt: number;
  readonly bindings: WorkerBindings;
  /** Draws recorded by this tick, announced by the announcement step. */
  drawIds?: string[];
  /** Claims redrawn by claim expiry, announced with the draws. */
  redrawnClaimIds?: string[];
}

/** A step's counts, added to the "tick finished" log line. */
export type TickStepReport = Record<string, number | string>;

/** One step of the tick: `run` may throw; the steps after it run anyway. */
export interface TickStep {
  name: string;
  run: (app: AppContext, tick: TickState) => Promise<TickStepReport | undefined>;
}

interface TickStepFailure {
  step: string;
  error: unknown;
}

/**
 * The tick's steps, in order. Each runs even when an earlier one threw (a failure is logged once,
 * with its step's name, and the tick still reports what the others did), so one server's trouble
 * in one step never holds back claim expiry, announcements or token checks for all. Adding a step
 * is one line here.
 */
const tickSteps: readonly TickStep[] = [
  { name: "draws", run: drawDueRaffles },
  // Unclaimed prizes past their window: expired, redrawn (or their code back in stock), and the
  // redraws announced below with the draws.
  { name: "claimExpiry", run: expireClaimsStep },
  // Draws and redraws on stream (worker/overlay/): in the background, never holding up the tick.
  { name: "overlays", run: publishToOverlaysStep },
  { name: "announcements", run: announceStep },
  { name: "claimedEdits", run: async (app) => ({ claimedEdits: await finishClaimedEdits(app) }) },
  { name: "twitchLinks", run: maintainTwitchLinksStep },
  { name: "oauthStatePurge", run: purgeOAuthStatesStep },
  {
    name: "eventSubPurge",
    run: async (app) => ({ purgedEventSubMessages: await purgeOldEventSubMessages(app.database, app.now()) }),
  },
  // While a previous encryption key is configured: re-seal what it still seals (README, "Rotating").
  { name: "resealSecrets", run: resealSecretsStep },
];

async function publishToOverlaysStep(app: AppContext, tick: TickState): Promise<undefined> {
  publishDrawsToOverlays(app, { drawIds: tick.drawIds ?? [], redrawClaimIds: tick.redrawnClaimIds ?? [] });
  return undefined;
}

async function resealSecretsStep(app: AppContext): Promise<TickStepReport> {
  const resealed = await resealSecrets(app);
  return { resealedCodes: resealed.codes, resealedTokens: resealed.tokens, resealUnreadable: resealed.unreadable };
}

async function runTickSteps(app: AppContext, tick: TickState): Promise<TickStepFailure[]> {
  const failures: TickStepFailure[] = [];
  let report: TickStepReport = {};
  for (const step of tickSteps) {
    try {
      report = { ...report, ...(await step.run(app, tick)) };
    } catch (error) {
      app.log.error("tick step failed", { step: step.name, error });
      failures.push({ step: step.name, error });
    }
  }
  app.log.info("tick finished", {
    slotAt: new Date(tick.slotAt).toISOString(),
    ...report,
    ...(failures.length > 0 ? { failedSteps: failures.map((failure) => failure.step).join(", ") } : {}),
    databaseQueries: app.database.queryCount,
  });
  return failures;
}

/** Every due raffle's slot: drawn here, or fanned out to the queue when there are many. */
async function drawDueRaffles(app: AppContext, tick: TickState): Promise<TickStepReport> {
  const { slotAt, bindings } = tick;
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
  // The entrants read in small batches and one beacon round for the whole tick (drawSlots.ts).
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
  tick.drawIds = outcomes.flatMap((outcome) => (outcome.kind === "drawn" ? [outcome.drawId] : []));
  return {
    dueRaffles: due.length,
    liveRaffles: live.length,
    fannedOut,
    ...countOutcomes(outcomes),
    failed,
  };
}

async function expireClaimsStep(app: AppContext, tick: TickState): Promise<TickStepReport> {
  const claims = await expireClaims(app);
  tick.redrawnClaimIds = claims.redrawnClaimIds;
  return {
    claimsRedrawn: claims.redrawnClaimIds.length,
    claimsEnded: claims.ended,
    codesReturned: claims.codesReturned,
    claimExpiryFailures: claims.failed,
  };
}

/** This tick's draws and redraws, and every announcement due for a retry (includeDue). */
async function announceStep(app: AppContext, tick: TickState): Promise<TickStepReport> {
  const announced = await announcePending(app, {
    drawIds: tick.drawIds ?? [],
    includeDue: true,
    claimIds: tick.redrawnClaimIds ?? [],
  });
  return { announced: announced.delivered, announcementRetries: announced.retry };
}

async function maintainTwitchLinksStep(app: AppContext): Promise<TickStepReport> {
  const validation = await maintainTwitchLinks(app);
  return { linksValidated: validation.validated, linkValidationFailures: validation.failed };
}

async function purgeOAuthStatesStep(app: AppContext): Promise<undefined> {
  await deleteExpiredOAuthStates(app.database, app.now());
  return undefined;
}
