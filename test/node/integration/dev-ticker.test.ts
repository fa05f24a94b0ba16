import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { floorToMinute, SimulatedClock } from "../../../scripts/dev/SimulatedClock";
import { startTicker, type Ticker } from "../../../scripts/dev/startTicker";

const wallClock = Date.parse("2026-03-01T12:34:56.789Z");

describe("the simulated clock", () => {
  test("runs ahead of the wall clock one minute per advance", () => {
    const clock = new SimulatedClock(() => wallClock);
    expect(clock.currentMinute()).toBe(Date.parse("2026-03-01T12:34:00Z"));
    clock.advanceOneMinute();
    clock.advanceOneMinute();
    expect(clock.advancedMinutes).toBe(2);
    expect(clock.now()).toBe(wallClock + 120_000);
    expect(clock.currentMinute()).toBe(Date.parse("2026-03-01T12:36:00Z"));
    expect(floorToMinute(Date.parse("2026-03-01T12:36:59.999Z"))).toBe(Date.parse("2026-03-01T12:36:00Z"));
  });
});

describe("the ticker", () => {
  let server: Server | undefined;
  let ticker: Ticker | undefined;

  afterEach(async () => {
    ticker?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A stand-in for wrangler's local scheduled endpoint that records what it was asked. */
  async function startScheduledEndpoint(answer: {
    status: number;
    body: string;
  }): Promise<{ url: string; requests: URL[] }> {
    const requests: URL[] = [];
    server = createServer((request, response) => {
      requests.push(new URL(request.url ?? "/", "http://127.0.0.1"));
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return { url: `http://127.0.0.1:${address.port}`, requests };
  }

  test("advancing fires the every-minute cron with that minute as scheduledTime", async () => {
    const endpoint = await startScheduledEndpoint({ status: 200, body: '{"outcome":"ok","noRetry":false}' });
    const clock = new SimulatedClock(() => wallClock);
    ticker = startTicker({ workerUrl: endpoint.url, clock, automatic: false });

    const first = await ticker.advanceOneMinute();
    const second = await ticker.advanceOneMinute();

    expect(endpoint.requests.map((url) => url.pathname)).toEqual([
      "/cdn-cgi/local/scheduled",
      "/cdn-cgi/local/scheduled",
    ]);
    expect(endpoint.requests[0]?.searchParams.get("cron")).toBe("* * * * *");
    expect(endpoint.requests[0]?.search).toContain("cron=*+*+*+*+*");
    expect(endpoint.requests.map((url) => Number(url.searchParams.get("time")))).toEqual([
      Date.parse("2026-03-01T12:35:00Z"),
      Date.parse("2026-03-01T12:36:00Z"),
    ]);
    expect(first).toMatchObject({
      outcome: "ok",
      trigger: "manual",
      scheduledTime: Date.parse("2026-03-01T12:35:00Z"),
    });
    expect(ticker.history).toEqual([second, first]);
  });

  test("reports a handler that threw, and a Worker that does not answer", async () => {
    const endpoint = await startScheduledEndpoint({ status: 500, body: '{"outcome":"exception","noRetry":false}' });
    ticker = startTicker({ workerUrl: endpoint.url, clock: new SimulatedClock(), automatic: false });
    expect((await ticker.advanceOneMinute()).outcome).toBe("exception");
    ticker.stop();

    ticker = startTicker({ workerUrl: "http://127.0.0.1:9", clock: new SimulatedClock(), automatic: false });
    const unreachable = await ticker.advanceOneMinute();
    expect(unreachable.outcome).toBe("unreachable");
    expect(unreachable.detail).toBeTruthy();
  });
});
