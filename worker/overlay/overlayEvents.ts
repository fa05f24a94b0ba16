/**
 * What `/overlay/{token}/live` sends and `/overlay/{token}/state` lists (docs/contract.md, "On-stream
 * overlay"): the wire shapes, snake_case as the contract names them. The page (page/overlay.ts)
 * reads exactly these.
 */

/** One draw as the overlay shows it: who won what, the reel to spin, and where to verify it. */
export interface OverlayDraw {
  raffle: string;
  draw_number: number;
  slot: string;
  at: string;
  winner: OverlayWinner;
  item: { id: string; name: string; weight: number; chance: number };
  reel: string[];
  round: number | null;
  verify_url: string;
  claim_expires_at: string | null;
}

export interface OverlayWinner {
  platform: "twitch" | "kick";
  user_id: string;
  login: string;
  display_name: string;
}

export type OverlayEvent =
  | { type: "draw"; draw: OverlayDraw }
  | { type: "redraw"; draw: OverlayDraw }
  | { type: "claimed"; raffle: string; draw_number: number; by: OverlayWinner }
  | { type: "raffle"; status: "running" | "paused" | "stopped" };

/**
 * Names an event so the overlay's object sends it once per connection however often the draw
 * path publishes it (a queue retry, a replayed tick). A raffle's status changes carry no key: the
 * newest one always goes out.
 */
export function describeEventKey(event: OverlayEvent): string | null {
  switch (event.type) {
    case "draw":
      return `draw:${event.draw.raffle}:${event.draw.draw_number}`;
    case "redraw":
      return `redraw:${event.draw.raffle}:${event.draw.draw_number}:${event.draw.winner.user_id}`;
    case "claimed":
      return `claimed:${event.raffle}:${event.draw_number}:${event.by.user_id}`;
    case "raffle":
      return null;
  }
}

/** Slots on the reel: enough that a 1 % item still shows, few enough to spin in a few seconds. */
export const reelLength = 40;

/**
 * The reel of a draw: each drawable item's name about as often as its chance (largest remainder
 * of `reelLength` slots), the drawn one at least once, in an order shuffled from the draw's own
 * public randomness, so /state and /live give the same reel for the same draw.
 */
export function buildReel(
  items: readonly { id: string; name: string; weight: number }[],
  drawnItemId: string,
  seedHex: string,
): string[] {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  if (total <= 0) return [];
  const shares = items.map((item) => {
    const exact = (item.weight / total) * reelLength;
    return { item, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = reelLength - shares.reduce((sum, share) => sum + share.count, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder)) {
    if (left <= 0) break;
    share.count += 1;
    left -= 1;
  }
  const drawn = shares.find((share) => share.item.id === drawnItemId);
  if (drawn && drawn.count === 0) {
    // The drawn item takes a slot from the most frequent one.
    const largest = shares.reduce((best, share) => (share.count > best.count ? share : best));
    largest.count -= 1;
    drawn.count = 1;
  }
  const reel = shares.flatMap((share) => Array.from({ length: share.count }, () => share.item.name));
  const random = createSeededRandom(Number.parseInt(seedHex.slice(0, 8) || "0", 16));
  for (let index = reel.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [reel[index], reel[other]] = [reel[other] as string, reel[index] as string];
  }
  return reel;
}

/** mulberry32: a small deterministic shuffle source for the reel's look, never for a draw. */
function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
