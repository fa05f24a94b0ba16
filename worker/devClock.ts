import type { Config } from "./env";
import type { Logger } from "./log";

/**
 * `npm run dev` only. The playground can move its clock minutes ahead of the wall clock; ticks
 * follow it through `scheduledTime`, and HTTP requests follow it through this: "now" is the wall
 * clock plus the offset the dev clock (`DEV_CLOCK_URL`, a loopback URL) answers. `readConfig`
 * drops the setting unless PUBLIC_BASE_URL is loopback, so production never gets here. Without
 * the setting, or without an answer, "now" is the wall clock.
 */
export async function readDevClock(
  config: Pick<Config, "devClockUrl">,
  log: Logger,
): Promise<(() => number) | undefined> {
  if (config.devClockUrl === undefined) return undefined;
  try {
    const response = await fetch(config.devClockUrl, { signal: AbortSignal.timeout(1_000) });
    const body: unknown = await response.json();
    const offset =
      typeof body === "object" && body !== null && "offsetMilliseconds" in body ? Number(body.offsetMilliseconds) : 0;
    if (!Number.isFinite(offset) || offset === 0) return undefined;
    return () => Date.now() + offset;
  } catch (error) {
    log.warn("the dev clock did not answer; using the wall clock", { error: String(error) });
    return undefined;
  }
}
