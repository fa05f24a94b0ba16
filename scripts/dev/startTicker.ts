import { oneMinuteMilliseconds, type SimulatedClock } from "./SimulatedClock";

/** The cron expression of wrangler.toml; the Worker compares it character for character. */
export const everyMinuteCron = "* * * * *";

/** One call of the Worker's scheduled handler, as the playground shows it. */
export interface TickRecord {
  scheduledTime: number;
  /** `manual` when the playground's button fired it. */
  trigger: "minute" | "manual";
  /** `ok`, `exception` (the handler threw), or `unreachable` (no answer from wrangler). */
  outcome: string;
  durationMilliseconds: number;
  detail?: string;
}

export interface Ticker {
  /** Advances the simulated clock one minute and fires the tick for that minute. */
  advanceOneMinute(): Promise<TickRecord>;
  /** Most recent first. */
  readonly history: readonly TickRecord[];
  stop(): void;
}

export interface TickerOptions {
  workerUrl: string;
  clock: SimulatedClock;
  /** Fire on every minute of the wall clock; off in tests that only press the button. */
  automatic?: boolean;
  onTick?: (record: TickRecord) => void;
}

const historyLength = 20;

/**
 * Local dev never fires Cron Triggers by itself (https://developers.cloudflare.com/workers/configuration/cron-triggers/#test-cron-triggers-locally), so this calls wrangler's
 * `/cdn-cgi/local/scheduled` at the start of every minute with `time` = that minute, one tick at
 * a time, like the `* * * * *` trigger would.
 */
export function startTicker(options: TickerOptions): Ticker {
  const history: TickRecord[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const fire = (trigger: TickRecord["trigger"]): Promise<TickRecord> => {
    const run = queue.then(async () => {
      const record = await fireScheduled(options.workerUrl, options.clock.currentMinute(), trigger);
      history.unshift(record);
      history.length = Math.min(history.length, historyLength);
      options.onTick?.(record);
      return record;
    });
    queue = run.catch(() => {});
    return run;
  };

  const scheduleNextMinute = () => {
    if (stopped) return;
    const untilNextMinute = oneMinuteMilliseconds - (options.clock.now() % oneMinuteMilliseconds);
    timer = setTimeout(() => {
      void fire("minute");
      scheduleNextMinute();
    }, untilNextMinute);
    timer.unref();
  };
  if (options.automatic ?? true) scheduleNextMinute();

  return {
    history,
    advanceOneMinute() {
      options.clock.advanceOneMinute();
      return fire("manual");
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function fireScheduled(
  workerUrl: string,
  scheduledTime: number,
  trigger: TickRecord["trigger"],
): Promise<TickRecord> {
  const url = new URL("/cdn-cgi/local/scheduled", workerUrl);
  url.searchParams.set("cron", everyMinuteCron);
  url.searchParams.set("time", String(scheduledTime));
  url.searchParams.set("format", "json");
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    const outcome = readOutcome(text) ?? (response.ok ? "ok" : `http ${response.status}`);
    return { scheduledTime, trigger, outcome, durationMilliseconds: elapsed() };
  } catch (error) {
    return {
      scheduledTime,
      trigger,
      outcome: "unreachable",
      durationMilliseconds: elapsed(),
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

/** `?format=json` answers `{"outcome":"ok","noRetry":false}`. */
function readOutcome(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && "outcome" in body && typeof body.outcome === "string") {
      return body.outcome;
    }
  } catch {
    // Not JSON: an older wrangler or an error page; the status decides.
  }
  return undefined;
}
