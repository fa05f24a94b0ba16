import pg from "pg";
import { candidateSampleSize } from "../../worker/raffle/drawSlots";
import { serverLimits } from "../../worker/raffle/serverLimits";
import { DatabaseProbe } from "./DatabaseProbe";
import { measureTick, type TickMeasurement, type TickMinute } from "./measureTick";
import { seedLiveRaffles } from "./seedLiveRaffles";
import type { BenchStack } from "./startBenchStack";
import { startBenchWorker } from "./startBenchWorker";
import { TickLog } from "./TickLog";
import { WorkerdUsage } from "./WorkerdUsage";

/** One tick's mix of raffles: `atLimit` of them with servers at every limit, the rest small. */
export interface LimitScenario {
  label: string;
  raffles: number;
  atLimit: number;
}

/** What one minute of a scenario cost, with the Worker's CPU and memory. */
export interface LimitRow {
  scenario: LimitScenario;
  /** 1, 2, 3, 4: cold, warm, cold, warm (the chatter cache keeps a list 75 s of scheduled time). */
  minuteNumber: number;
  minute: TickMinute;
  measurement: TickMeasurement;
  /** workerd's main thread (the Worker's JavaScript) during the tick, in ms. */
  mainThreadCpuMilliseconds: number;
  /** Every workerd thread (V8's background compiler and GC too), in ms. */
  cpuMilliseconds: number;
  /** workerd's resident memory before the tick, and its peak during it. */
  residentBeforeBytes: number;
  peakResidentBytes: number;
}

export interface LimitRowsOptions {
  /** The repository root, where wrangler.toml is. */
  directory: string;
  /** The first seed batch these rows may use (each scenario takes one, the warm-up another). */
  firstBatch: number;
  scenarios: readonly LimitScenario[];
  /** Chatters of a small raffle's channel (a raffle at the limit has candidateSampleSize). */
  smallChatters: number;
}

const minuteMilliseconds = 60_000;
/** Minutes between scenarios' first slots, so no tick's scheduled time is another's. */
const scenarioSpacingMinutes = 10;
/** The claim window of the raffles at the limit (a draw then opens a claim, as with prize codes). */
const claimMinutes = 15;
const directPathThreshold = 100_000;

/**
 * The tick at the server limits (issue 21), on the direct path, one Worker for every row: a
 * throwaway tick first (so no row pays for the isolate's first app token, drand's chain info or
 * cold code), then per scenario four consecutive minutes: cold, warm, cold, warm. A raffle at the limit has a loot table
 * of serverLimits.lootItems items with 100-character names (the longest), serverLimits.exclusions
 * excluded viewers, a chat of candidateSampleSize (so 500 entrants), and claims on.
 */
export async function runLimitRows(stack: BenchStack, options: LimitRowsOptions): Promise<LimitRow[]> {
  const tickLog = new TickLog();
  const worker = await startBenchWorker({
    directory: options.directory,
    bindings: stack.createBindings({ fanoutThreshold: directPathThreshold }),
    onLogLine: tickLog.receiveLine,
  });
  const rows: LimitRow[] = [];
  try {
    const usage = await WorkerdUsage.find();
    const context = { stack, worker, tickLog, probe: new DatabaseProbe(stack.databaseUrl) };
    const base = Math.floor(Date.now() / minuteMilliseconds) * minuteMilliseconds;
    const warmUp = await seedLiveRaffles(stack, {
      batch: options.firstBatch,
      count: 1,
      chattersPerChannel: options.smallChatters,
      firstSlotAt: base,
    });
    try {
      await measureTick(context, { path: "direct", raffles: 1, minute: "cold", scheduledTime: base });
    } finally {
      await warmUp.remove();
    }
    for (const [index, scenario] of options.scenarios.entries()) {
      console.error(`measuring ${scenario.label}…`);
      const firstSlotAt = base + (index + 1) * scenarioSpacingMinutes * minuteMilliseconds;
      const seeded = await seedLiveRaffles(stack, {
        batch: options.firstBatch + 1 + index,
        count: scenario.raffles,
        chattersPerChannel: options.smallChatters,
        firstSlotAt,
      });
      try {
        await fillToLimits(stack, seeded.guilds.slice(0, scenario.atLimit));
        for (const [minuteIndex, minute] of (["cold", "warm", "cold", "warm"] as const).entries()) {
          const scheduledTime = firstSlotAt + minuteIndex * minuteMilliseconds;
          await usage.resetPeak();
          const before = await usage.sample();
          const measurement = await measureTick(context, {
            path: "direct",
            raffles: scenario.raffles,
            minute,
            scheduledTime,
          });
          const after = await usage.sample();
          rows.push({
            scenario,
            minuteNumber: minuteIndex + 1,
            minute,
            measurement,
            mainThreadCpuMilliseconds: after.mainThreadCpuMilliseconds - before.mainThreadCpuMilliseconds,
            cpuMilliseconds: after.cpuMilliseconds - before.cpuMilliseconds,
            residentBeforeBytes: before.residentBytes,
            peakResidentBytes: after.peakResidentBytes,
          });
        }
      } finally {
        await seeded.remove();
      }
    }
  } finally {
    await worker.stop();
  }
  return rows;
}

/** Loot, exclusions and chat of these guilds at the limits, and claims on for their raffles. */
async function fillToLimits(stack: BenchStack, guilds: readonly { guildId: string; broadcasterId: string }[]) {
  if (guilds.length === 0) return;
  for (const guild of guilds) {
    await stack.twitch.setChatters(guild.broadcasterId, { count: candidateSampleSize });
  }
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const guildIds = guilds.map((guild) => guild.guildId);
    // seedLiveRaffles gave each three items; the rest up to the limit, with names of 100 characters.
    await client.query(
      `insert into loot_items (guild_id, name, weight, stock)
       select guild_id, rpad('Prize ' || n || ' ', 100, 'abcdefghij'), 1 + n % 50, case when n % 3 = 0 then 1000 end
       from unnest($1::text[]) as guild(guild_id), generate_series(1, $2::integer) n`,
      [guildIds, serverLimits.lootItems - 3],
    );
    await client.query(
      `insert into excluded_viewers (guild_id, twitch_login)
       select guild_id, 'excluded_' || n from unnest($1::text[]) as guild(guild_id), generate_series(1, $2::integer) n`,
      [guildIds, serverLimits.exclusions],
    );
    await client.query("update raffles set claim_minutes = $2 where guild_id = any($1::text[])", [
      guildIds,
      claimMinutes,
    ]);
    await client.query("analyze loot_items, excluded_viewers");
  } finally {
    await client.end();
  }
}
