import type { AppContext } from "../context";
import { expireClaim, listExpiredClaims } from "../db/claimLifecycle";
import { parseHex } from "../fairness/bytes";
import { decideRedraw } from "../fairness/livelootV1";
import { describeError } from "../log";

/** Claims one tick expires; more wait for the next minute (oldest first). */
const claimsPerTick = 200;
/** docs/contract.md "Claims": up to 3 redraws (purposes winner-redraw-1 … 3). */
const maximumRedraws = 3;

export interface ClaimExpiries {
  /** Claims expired with a next winner, whose announcements are now pending. */
  redrawnClaimIds: string[];
  /** Claims expired with nobody left to redraw (or after the third redraw). */
  ended: number;
  /** Codes of those that went back to their item's stock. */
  codesReturned: number;
  failed: number;
}

/**
 * The tick's claim step: every open claim whose window ended by the tick's "now" expires. While
 * n < 3 the next winner is Pick(`winner-redraw-{n + 1}`, the slot's entrants without the earlier
 * winners), exactly what a verifier recomputes from the draw's public record; expire_claim checks
 * and records it with its pending announcement. Nobody left (or n = 3): a reserved code goes back
 * to stock. A replayed tick finds these claims no longer open and redraws nothing twice.
 */
export async function expireClaims(app: AppContext): Promise<ClaimExpiries> {
  const now = app.now();
  const expired = await listExpiredClaims(app.database, now, claimsPerTick);
  const outcome: ClaimExpiries = { redrawnClaimIds: [], ended: 0, codesReturned: 0, failed: 0 };
  for (const claim of expired) {
    try {
      let nextWinner: string | null = null;
      if (claim.n < maximumRedraws) {
        const redraw = await decideRedraw(
          claim.n + 1,
          {
            randomness: parseHex(claim.randomness),
            raffle: claim.rafflePublicId,
            slot: claim.slotLabel,
            entrants: claim.entrants.map(([id, , weight]) => ({ id, weight })),
          },
          claim.earlierWinners,
        );
        nextWinner = redraw.winnerUserId;
      }
      const result = await expireClaim(app.database, claim.claimId, now, nextWinner);
      if (result.outcome === "redrawn") outcome.redrawnClaimIds.push(result.newClaimId);
      if (result.outcome === "returned") {
        outcome.ended += 1;
        if (result.codeReturned) outcome.codesReturned += 1;
      }
    } catch (error) {
      // One bad claim never blocks the others; it stays open and is tried again next tick.
      outcome.failed += 1;
      app.log.error("claim expiry failed", {
        claimId: claim.claimId,
        drawId: claim.drawId,
        error: describeError(error),
      });
    }
  }
  return outcome;
}
