import { createServer } from "node:http";
import type { SimulatedClock } from "./SimulatedClock";

export interface DevClockServer {
  /** The Worker's `DEV_CLOCK_URL`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Tells the Worker under `wrangler dev` how far the simulated clock is from the wall clock at this
 * moment: `GET /` → `{"offsetMilliseconds": n, "now": ms}` (n shrinks while a `manual` clock waits
 * at the end of its minute). The Worker asks once per HTTP request (worker/devClock.ts), so commands, OAuth callbacks
 * and EventSub messages see the same minute as the ticks. On 127.0.0.1 only; it changes nothing.
 */
export async function startDevClockServer(clock: SimulatedClock): Promise<DevClockServer> {
  const server = createServer((request, response) => {
    if (request.method !== "GET") {
      response.writeHead(405).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify({ offsetMilliseconds: clock.aheadOfWallClock, now: clock.now() }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the dev clock has no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
