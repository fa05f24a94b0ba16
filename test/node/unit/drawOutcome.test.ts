import { describe, expect, it } from "vitest";
import type { AtomicDrawResult } from "../../../worker/db/draws";
import { renderDrawNow } from "../../../worker/discord/commands/raffle/draw";
import { translate } from "../../../worker/i18n/translate";
import type { DrawNowOutcome } from "../../../worker/raffle/drawNow";
import {
  classifyAtomicDraw,
  classifyNobodyEligible,
  classifyTwitchFailure,
  countOutcomes,
  type DrawOutcome,
  queueDisposition,
} from "../../../worker/raffle/drawOutcome";
import { TwitchApiError, TwitchRateLimitedError } from "../../../worker/twitch/TwitchApiError";
import {
  TwitchLinkChangedError,
  TwitchNeedsReauthError,
  TwitchNotLinkedError,
} from "../../../worker/twitch/userTokens";

// The one draw path's rules (raffle/drawOutcome.ts), and how /raffle draw words each outcome.

const winner = { id: "1001", login: "lucky", name: "Lucky" };

function answer(fields: Partial<AtomicDrawResult> & Pick<AtomicDrawResult, "outcome">): AtomicDrawResult {
  return {
    drawId: undefined,
    itemName: undefined,
    winner: undefined,
    ineligible: undefined,
    nobodyEligible: undefined,
    ...fields,
  };
}

const counts = (chatters: number, excluded: number, coolingDown: number) => ({
  chatters,
  excluded,
  coolingDown,
  cooldownMinutes: 30,
});

describe("why nobody could win", () => {
  it("is an empty chat when record_draw saw nobody", () => {
    expect(classifyNobodyEligible(counts(0, 0, 0))).toBe("nobody_in_chat");
  });

  it("is the cooldown as soon as one viewer who could win is cooling down", () => {
    expect(classifyNobodyEligible(counts(4, 3, 1))).toBe("cooldown");
    expect(classifyNobodyEligible(counts(50, 0, 50))).toBe("cooldown");
  });

  it("is exclusion when everyone is the broadcaster, a bot or excluded", () => {
    expect(classifyNobodyEligible(counts(3, 3, 0))).toBe("excluded");
  });
});

describe("what record_draw's answer means", () => {
  it("a draw carries its id, winner, item and whether the beacon decided it", () => {
    expect(classifyAtomicDraw(answer({ outcome: "drawn", drawId: "7", winner, itemName: "Sword" }))).toEqual({
      kind: "drawn",
      drawId: "7",
      winner,
      itemName: "Sword",
      verifiable: true,
    });
    const fallback = answer({ outcome: "drawn", drawId: "8", winner, itemName: "Sword", verifiable: false });
    expect(classifyAtomicDraw(fallback)).toMatchObject({ kind: "drawn", verifiable: false });
  });

  it("nobody eligible carries the reason, the counts and the run's notice", () => {
    const result = answer({
      outcome: "no_eligible",
      ineligible: counts(2, 0, 2),
      nobodyEligible: { minutes: 5, noticeDue: true },
    });
    expect(classifyAtomicDraw(result)).toEqual({
      kind: "noEligible",
      reason: "cooldown",
      counts: counts(2, 0, 2),
      notice: { minutes: 5, due: true },
    });
    expect(classifyAtomicDraw(answer({ outcome: "no_eligible", ineligible: counts(0, 0, 0) }))).toMatchObject({
      reason: "nobody_in_chat",
      notice: undefined,
    });
  });

  it("maps the rest one to one", () => {
    expect(classifyAtomicDraw(answer({ outcome: "no_items" }))).toEqual({ kind: "outOfLoot" });
    expect(classifyAtomicDraw(answer({ outcome: "slot_taken" }))).toEqual({ kind: "slotTaken" });
    expect(classifyAtomicDraw(answer({ outcome: "not_running" }))).toEqual({ kind: "notRunning" });
    expect(classifyAtomicDraw(answer({ outcome: "stale" }))).toEqual({ kind: "stale" });
  });

  it("refuses an answer that breaks record_draw's promises", () => {
    expect(() => classifyAtomicDraw(answer({ outcome: "drawn", drawId: "7" }))).toThrow(/drawn/);
    expect(() => classifyAtomicDraw(answer({ outcome: "no_eligible" }))).toThrow(/no_eligible/);
  });
});

describe("the Twitch-error policy of a draw", () => {
  const url = "https://api.twitch.tv/helix/chat/chatters";

  it("403 is forbidden (the raffle pauses)", () => {
    expect(classifyTwitchFailure(new TwitchApiError(403, url, "{}"))).toEqual({ kind: "twitchForbidden" });
  });

  it("5xx and 429 are unavailable (the slot is skipped)", () => {
    expect(classifyTwitchFailure(new TwitchApiError(503, url, ""))).toEqual({ kind: "twitchUnavailable", status: 503 });
    expect(classifyTwitchFailure(new TwitchApiError(500, url, ""))).toEqual({ kind: "twitchUnavailable", status: 500 });
    expect(classifyTwitchFailure(new TwitchRateLimitedError(url, "", undefined))).toEqual({
      kind: "twitchUnavailable",
      status: 429,
    });
  });

  it("a link gone, changed or needing re-authorization is named", () => {
    expect(classifyTwitchFailure(new TwitchNotLinkedError("1"))).toEqual({ kind: "notLinked" });
    expect(classifyTwitchFailure(new TwitchLinkChangedError("1"))).toEqual({ kind: "notLinked" });
    expect(classifyTwitchFailure(new TwitchNeedsReauthError("1", "refresh_rejected"))).toEqual({ kind: "needsReauth" });
  });

  it("anything else is a fault, not an outcome", () => {
    expect(classifyTwitchFailure(new TwitchApiError(400, url, ""))).toBeUndefined();
    expect(classifyTwitchFailure(new TwitchApiError(404, url, ""))).toBeUndefined();
    expect(classifyTwitchFailure(new Error("database down"))).toBeUndefined();
    expect(classifyTwitchFailure("nope")).toBeUndefined();
  });
});

const everyOutcome: DrawOutcome[] = [
  { kind: "drawn", drawId: "1", winner, itemName: "Sword", verifiable: true },
  { kind: "stale" },
  { kind: "noEligible", reason: "excluded", counts: counts(1, 1, 0), notice: undefined },
  { kind: "outOfLoot" },
  { kind: "slotTaken" },
  { kind: "notRunning" },
  { kind: "notLive" },
  { kind: "twitchForbidden" },
  { kind: "twitchUnavailable", status: 503 },
  { kind: "notLinked" },
  { kind: "needsReauth" },
];

describe("the queue and the tick", () => {
  it("acknowledge every outcome: each settles the slot (only a thrown fault is retried)", () => {
    for (const outcome of everyOutcome) expect(queueDisposition[outcome.kind]).toBe("ack");
  });

  it("count each outcome kind", () => {
    const tally = countOutcomes([...everyOutcome, { kind: "notLive" }]);
    expect(tally.notLive).toBe(2);
    expect(Object.values(tally).reduce((sum, count) => sum + count, 0)).toBe(everyOutcome.length + 1);
  });
});

describe("/raffle draw's reply", () => {
  const drawn = (announcement: "delivered" | "retry" | "failed" | "channel_unavailable" | undefined) =>
    ({
      kind: "drawn",
      drawId: "1",
      winner: { ...winner, name: "Real_Viewer" },
      itemName: "Golden *Crown*",
      verifiable: true,
      announcement,
    }) as const;

  it("names the winner and item, escaped, and nothing more once the channel has it", () => {
    expect(renderDrawNow("en-US", drawn("delivered")).content).toBe("🎉 **Real\\_Viewer** won **Golden \\*Crown\\***!");
  });

  it("promises a retry only when the outbox will retry", () => {
    for (const announcement of ["retry", undefined] as const) {
      expect(renderDrawNow("en-US", drawn(announcement)).content).toContain(
        translate("en-US", "raffleAnnouncementDelayed"),
      );
    }
    // A refused channel is retried too, but only as the channel's probe: the reply says what to fix.
    const gone = renderDrawNow("en-US", drawn("channel_unavailable")).content ?? "";
    expect(gone).toContain(translate("en-US", "raffleAnnouncementChannelUnavailable"));
    expect(gone).toContain("every 10 minutes");
    expect(gone).not.toContain(translate("en-US", "raffleAnnouncementDelayed"));
    expect(renderDrawNow("pt-BR", drawn("channel_unavailable")).content).toContain("a cada 10 minutos");
    expect(renderDrawNow("en-US", drawn("failed")).content).not.toContain("keep trying");
  });

  it("says when the beacon could not be reached, in the reply's language", () => {
    const fallback = { ...drawn("delivered"), verifiable: false } as const;
    expect(renderDrawNow("en-US", fallback).content).toContain("not publicly verifiable");
    expect(renderDrawNow("pt-BR", fallback).content).toContain("não verificável publicamente");
    expect(renderDrawNow("en-US", drawn("delivered")).content).not.toContain("verifiable");
  });

  it("words every other outcome", () => {
    const cases: [DrawNowOutcome, string][] = [
      [{ kind: "noEligible", reason: "cooldown", counts: counts(1, 0, 1), notice: undefined }, "raffleNoEligible"],
      [{ kind: "outOfLoot" }, "raffleOutOfItems"],
      [{ kind: "slotTaken" }, "raffleDrawBusy"],
      [{ kind: "notRunning" }, "raffleNoneActive"],
      [{ kind: "twitchForbidden" }, "raffleChattersForbidden"],
      [{ kind: "twitchUnavailable", status: 503 }, "tryAgainLater"],
      [{ kind: "notLinked" }, "twitchNotLinked"],
      [{ kind: "needsReauth" }, "twitchNeedsReauthReply"],
    ];
    for (const [outcome, key] of cases) {
      expect(renderDrawNow("pt-BR", outcome).content).toBe(translate("pt-BR", key as never));
    }
  });
});
