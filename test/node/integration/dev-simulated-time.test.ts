import { describe, expect, it } from "vitest";
import { TwitchState } from "../../../devkit/fakes/twitch/TwitchState";
import { SimulatedClock } from "../../../scripts/dev/SimulatedClock";
import { startDevClockServer } from "../../../scripts/dev/startDevClockServer";

describe("simulated time of npm run dev", () => {
  it("dates wall-clock moments on the simulated clock, by the offset in force then", () => {
    let wall = 1_000_000;
    const clock = new SimulatedClock(() => wall);
    const before = wall;
    wall += 5_000;
    clock.advanceOneMinute();
    wall += 5_000;
    expect(clock.offset).toBe(60_000);
    expect(clock.simulatedTimeAt(before)).toBe(before);
    expect(clock.simulatedTimeAt(wall)).toBe(wall + 60_000);
    expect(clock.now()).toBe(wall + 60_000);
  });

  it("never leaves its minute by itself when a test owns it (time: manual), whatever the wall clock does", () => {
    let wall = Date.parse("2026-03-01T12:34:56.789Z");
    const clock = new SimulatedClock(() => wall, { time: "manual" });
    const minuteStart = Date.parse("2026-03-01T12:34:00Z");
    expect(clock.now()).toBe(minuteStart);
    // Within the minute it runs with the wall clock, so later events get later times…
    wall += 2_000;
    expect(clock.now()).toBe(minuteStart + 2_000);
    // …but a busy machine that lets minutes pass between two steps leaves it in its minute.
    wall += 3 * 60_000;
    expect(clock.now()).toBe(minuteStart + 45_000);
    expect(clock.currentMinute()).toBe(minuteStart);
    clock.advanceOneMinute();
    expect(clock.now()).toBe(minuteStart + 60_000);
    wall += 90_000;
    expect(clock.currentMinute()).toBe(minuteStart + 60_000);
    expect(clock.advancedMinutes).toBe(1);
    expect(clock.simulatedTimeAt(wall - 90_000 + 1_000)).toBe(minuteStart + 61_000);
    // What the Worker adds to its own wall clock lands on the simulated time.
    expect(wall + clock.aheadOfWallClock).toBe(minuteStart + 60_000 + 45_000);
  });

  it("tells the Worker the offset over loopback HTTP", async () => {
    const clock = new SimulatedClock();
    clock.advanceOneMinute();
    const server = await startDevClockServer(clock);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const body = (await (await fetch(server.url)).json()) as { offsetMilliseconds: number; now: number };
      expect(body.offsetMilliseconds).toBe(60_000);
      expect(Math.abs(body.now - (Date.now() + 60_000))).toBeLessThan(1_000);
    } finally {
      await server.stop();
    }
  });

  it("tells the Worker where a manual clock stands, so its requests see the test's minute", async () => {
    const clock = new SimulatedClock(Date.now, { time: "manual" });
    clock.advanceOneMinute();
    const server = await startDevClockServer(clock);
    try {
      const body = (await (await fetch(server.url)).json()) as { offsetMilliseconds: number; now: number };
      expect(Math.abs(body.now - clock.now())).toBeLessThan(100);
      expect(Math.abs(Date.now() + body.offsetMilliseconds - clock.now())).toBeLessThan(100);
    } finally {
      await server.stop();
    }
  });
});

describe("chatter ids in the Twitch fake", () => {
  it("finds the id a login already has (a user, else a chatter of this or another chat)", () => {
    const state = new TwitchState();
    state.upsertUser({ id: "41000001", login: "demo_streamer" });
    state.setChatters("41000001", { chatters: [{ id: "52000001", login: "alice_viewer" }] });
    state.setChatters("41000002", { chatters: [{ id: "52000009", login: "zed_elsewhere" }] });
    expect(state.findIdByLogin("Alice_Viewer", "41000001")).toBe("52000001");
    expect(state.findIdByLogin("demo_streamer")).toBe("41000001");
    expect(state.findIdByLogin("zed_elsewhere", "41000001")).toBe("52000009");
    expect(state.findIdByLogin("newcomer", "41000001")).toBeUndefined();
  });
});
