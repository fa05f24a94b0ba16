export const oneMinuteMilliseconds = 60_000;

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

  constructor(private readonly readWallClock: () => number = Date.now) {}

  now(): number {
    return this.readWallClock() + this.offsetMilliseconds;
  }

  /** How far the clock runs ahead of the wall clock. */
  get offset(): number {
    return this.offsetMilliseconds;
  }

  /** Minutes the clock runs ahead of the wall clock. */
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
    return wallMilliseconds + offset;
  }

  /** The start of the current minute: what a Cron Trigger `* * * * *` passes as `scheduledTime`. */
  currentMinute(): number {
    return floorToMinute(this.now());
  }
}

export function floorToMinute(milliseconds: number): number {
  return milliseconds - (milliseconds % oneMinuteMilliseconds);
}
