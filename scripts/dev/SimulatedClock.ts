export const oneMinuteMilliseconds = 60_000;
/**
 * How far a `manual` clock runs into a minute before it stands still: a Worker request that reads
 * the clock there and takes up to 15 s still ends in the same minute.
 */
export const manualMinuteMilliseconds = 45_000;

export interface SimulatedClockOptions {
  /**
   * `wall` (npm run dev): the wall clock plus whatever the playground's button added. `manual` (a
   * test that advances by hand): each minute starts at its first millisecond when it is entered
   * and runs with the wall clock for at most `manualMinuteMilliseconds`, then stands still, so it
   * never reaches the next minute by itself: a test's minutes never depend on how long its steps
   * take, and what happens within one still gets later times.
   */
  time?: "wall" | "manual";
}

/**
 * The wall clock plus whatever the playground's "advance one minute" button has added. Everything
 * in `npm run dev` follows it: ticks through `scheduledTime`, the Worker's HTTP requests through
 * `DEV_CLOCK_URL` (startDevClockServer.ts), the Twitch fake's EventSub timestamps, the signature
 * timestamps of the playground's interactions, and the times the playground shows.
 */
export class SimulatedClock {
  private offsetMilliseconds = 0;
  /** Wall-clock moments the offset changed, oldest first, to date what happened before. */
  private readonly changes: { fromWall: number; offsetMilliseconds: number }[] = [];
  /** Set for a `manual` clock: the start of the minute it was created in, and when that was. */
  private readonly manualStart: { minute: number; wall: number } | undefined;

  constructor(
    private readonly readWallClock: () => number = Date.now,
    options: SimulatedClockOptions = {},
  ) {
    const wall = readWallClock();
    this.manualStart = options.time === "manual" ? { minute: floorToMinute(wall), wall } : undefined;
  }

  now(): number {
    return this.simulatedTimeAt(this.readWallClock());
  }

  /** How far the button has moved the clock. */
  get offset(): number {
    return this.offsetMilliseconds;
  }

  /** How far the clock is from the wall clock at this moment (what the Worker adds to its own). */
  get aheadOfWallClock(): number {
    const wall = this.readWallClock();
    return this.simulatedTimeAt(wall) - wall;
  }

  /** Minutes the button has moved the clock. */
  get advancedMinutes(): number {
    return this.offsetMilliseconds / oneMinuteMilliseconds;
  }

  advanceOneMinute(): void {
    this.offsetMilliseconds += oneMinuteMilliseconds;
    this.changes.push({ fromWall: this.readWallClock(), offsetMilliseconds: this.offsetMilliseconds });
  }

  /** The simulated time of a wall-clock moment, e.g. when the Discord fake stored a message. */
  simulatedTimeAt(wallMilliseconds: number): number {
    let offset = 0;
    let since = this.manualStart?.wall ?? 0;
    for (const change of this.changes) {
      if (change.fromWall > wallMilliseconds) break;
      offset = change.offsetMilliseconds;
      since = change.fromWall;
    }
    if (this.manualStart === undefined) return wallMilliseconds + offset;
    const intoMinute = Math.min(Math.max(wallMilliseconds - since, 0), manualMinuteMilliseconds);
    return this.manualStart.minute + offset + intoMinute;
  }

  /** The start of the current minute: what a Cron Trigger `* * * * *` passes as `scheduledTime`. */
  currentMinute(): number {
    return floorToMinute(this.now());
  }
}

export function floorToMinute(milliseconds: number): number {
  return milliseconds - (milliseconds % oneMinuteMilliseconds);
}
