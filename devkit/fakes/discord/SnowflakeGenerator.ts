/** Discord's epoch, the first second of 2015. */
const discordEpochMilliseconds = 1_420_070_400_000n;

/** Snowflakes with real timestamps, so ids sort by creation like Discord's. */
export class SnowflakeGenerator {
  private increment = 0n;

  createSnowflake(atMilliseconds = Date.now()): string {
    this.increment = (this.increment + 1n) & 0xfffn;
    return String(((BigInt(atMilliseconds) - discordEpochMilliseconds) << 22n) | this.increment);
  }
}
