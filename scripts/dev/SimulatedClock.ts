export const oneMinuteMilliseconds = 60_000;

/**
 * The wall clock plus whatever the playground's "advance one minute" button has added. Only
 * ticks follow it (the Worker takes "now" from `scheduledTime`); commands keep the wall clock.
 */
export class SimulatedClock {
  private offsetMilliseconds = 0;

  constructor(private readonly readWallClock: () => number = Date.now) {}

  now(): number {
    return this.readWallClock() + this.offsetMilliseconds;
  }

  /** Minutes the clock runs ahead of the wall clock. */
  get advancedMinutes(): number {
    return this.offsetMilliseconds / oneMinuteMilliseconds;
  }

  advanceOneMinute(): void {
    this.offsetMilliseconds += oneMinuteMilliseconds;
  }

  /** The start of the current minute: what a Cron Trigger `* * * * *` passes as `scheduledTime`. */
  currentMinute(): number {
    return floorToMinute(this.now());
  }
}

export function floorToMinute(milliseconds: number): number {
  return milliseconds - (milliseconds % oneMinuteMilliseconds);
}
