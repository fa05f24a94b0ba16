import type { AppContext } from "../context";
import { freePlanSubrequestsPerInvocation } from "../lib/subrequestBudget";
import { withTimeout } from "../lib/withTimeout";
import { hasOverlayLink, readClaimForOverlay, readPublishableDraws } from "./overlayDraws";
import { describeEventKey, type OverlayEvent } from "./overlayEvents";

/**
 * How long one publish may take. It runs in the background (ctx.waitUntil) after the draw is
 * committed, so it never delays a draw or its announcement; the page catches up through /state.
 */
const publishTimeoutMilliseconds = 2_000;

/**
 * Each publish is a call to another Cloudflare service, so a subrequest of the invocation
 * (docs/platform-limits.md, "Cloudflare Workers and Queues"). A tick on the Free plan spends about 7 shared plus 3.1 per cold raffle
 * (bench/README.md): the publishes get what is left of the 50, and a server beyond that catches up
 * through its page's periodic /state read (page/overlay.ts) within half a minute.
 */
export function countOverlayPublishAllowance(drawsInInvocation: number): number {
  const shared = 7;
  const perColdRaffle = 3.1;
  return Math.max(0, Math.floor(freePlanSubrequestsPerInvocation - shared - perColdRaffle * drawsInInvocation));
}

/** Sends one event to the server's overlay object; how many sockets got it. Throws on failure. */
export async function publishToOverlay(app: AppContext, guildId: string, event: OverlayEvent): Promise<number> {
  if (!app.overlays) return 0;
  return app.overlays.getByName(guildId).publish(event, describeEventKey(event));
}

/**
 * The draw path's hook, once its draws and redraws are committed (the tick, the queue consumer,
 * /raffle draw): reads them as the overlay shows them, for servers with an overlay link only, and
 * publishes each to its server's object, in the background. Every failure is caught and logged
 * once; nothing of the draw depends on it.
 */
export function publishDrawsToOverlays(
  app: AppContext,
  selection: { drawIds?: readonly string[]; redrawClaimIds?: readonly string[] },
): void {
  const drawIds = selection.drawIds ?? [];
  const redrawClaimIds = selection.redrawClaimIds ?? [];
  if (!app.overlays || (drawIds.length === 0 && redrawClaimIds.length === 0)) return;
  app.runInBackground(
    runPublish(app, async () => {
      const found = await readPublishableDraws(app.database, app.config.publicBaseUrl, { drawIds, redrawClaimIds });
      const allowance = countOverlayPublishAllowance(drawIds.length + redrawClaimIds.length);
      const draws = found.slice(0, allowance);
      if (found.length > draws.length) {
        app.log.info("overlay publishes past the invocation's subrequests; those pages catch up through /state", {
          published: draws.length,
          leftToState: found.length - draws.length,
        });
      }
      await Promise.all(
        draws.map(({ guildId, kind, draw }) =>
          publishToOverlay(app, guildId, { type: kind, draw }).catch((error: unknown) => {
            app.log.warn("overlay publish failed; the page catches up through /state", {
              guildId,
              drawNumber: draw.draw_number,
              error,
            });
          }),
        ),
      );
    }),
  );
}

/** A prize just claimed (the claim callback): the overlay may mark its card. */
export function publishClaimToOverlay(app: AppContext, claimId: string): void {
  if (!app.overlays) return;
  app.runInBackground(
    runPublish(app, async () => {
      const claim = await readClaimForOverlay(app.database, claimId);
      if (!claim) return;
      await publishToOverlay(app, claim.guildId, {
        type: "claimed",
        raffle: claim.raffle,
        draw_number: claim.drawNumber,
        by: claim.by,
      });
    }),
  );
}

/** The server's raffle started or stopped (the commands): its overlay hears the new status. */
export function publishRaffleStatusToOverlay(
  app: AppContext,
  guildId: string,
  status: "running" | "paused" | "stopped",
): void {
  if (!app.overlays) return;
  app.runInBackground(
    runPublish(app, async () => {
      // A server without an overlay link gets no object at all.
      if (!(await hasOverlayLink(app.database, guildId))) return;
      await publishToOverlay(app, guildId, { type: "raffle", status });
    }),
  );
}

async function runPublish(app: AppContext, work: () => Promise<void>): Promise<void> {
  try {
    await withTimeout(work(), publishTimeoutMilliseconds);
  } catch (error) {
    app.log.warn("overlay publish failed; the page catches up through /state", { error });
  }
}
