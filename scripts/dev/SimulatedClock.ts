export const oneMinuteMilliseconds = 60_000;

export interface SimulatedClockOptions {
  /**
   * `wall` (npm run dev): the wall clock plus whatever the playground's button added. `manual` (a
   * test that advances by hand): the clock stands still between advances, halfway through the
   * minute it was created in, so a test's minutes never depend on how long its steps take.
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
  /** Set for a `manual` clock: the moment it stands at before any advance. */
  private readonly standingAt: number | undefined;

  constructor(
    private readonly readWallClock: () => number = Date.now,
    options: SimulatedClockOptions = {},
  ) {
    // Halfway through the minute: a Worker request that reads the clock and takes a few seconds
    // stays in the minute of the tick before it.
    this.standingAt =
      options.time === "manual" ? floorToMinute(readWallClock()) + oneMinuteMilliseconds / 2 : undefined;
  }

  now(): number {
    return (this.standingAt ?? this.readWallClock()) + this.offsetMilliseconds;
  }

  /** How far the button has moved the clock. */
  get offset(): number {
    return this.offsetMilliseconds;
  }

  /** How far the clock is from the wall clock at this moment (what the Worker adds to its own). */
  get aheadOfWallClock(): number {
    return this.now() - this.readWallClock();
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
    for (const change of this.changes) if (change.fromWall <= wallMilliseconds) offset = change.offsetMilliseconds;
    return (this.standingAt ?? wallMilliseconds) + offset;
  }

  /** The start of the current minute: what a Cron Trigger `* * * * *` passes as `scheduledTime`. */
  currentMinute(): number {
    return floorToMinute(this.now());
  }
}

export function floorToMinute(milliseconds: number): number {
  return milliseconds - (milliseconds % oneMinuteMilliseconds);
}
