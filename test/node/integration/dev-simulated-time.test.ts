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
