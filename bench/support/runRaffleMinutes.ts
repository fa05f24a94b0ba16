import { defaultTickFanoutThreshold } from "../../worker/env";
import { countCachedChattersAt } from "./countCachedChattersAt";
import { DatabaseProbe } from "./DatabaseProbe";
import { measureTick, type TickMeasurement, type TickPath } from "./measureTick";
import { seedLiveRaffles } from "./seedLiveRaffles";
import type { BenchStack } from "./startBenchStack";
import { startBenchWorker } from "./startBenchWorker";
import { TickLog } from "./TickLog";

export interface RaffleMinutesOptions {
  path: TickPath;
  raffles: number;
  /** Distinguishes this run's ids from every other run's (see seedLiveRaffles). */
  batch: number;
  chattersPerChannel: number;
  /** The repository root, where wrangler.toml is. */
  directory: string;
}

export interface RaffleMinutes {
  cold: TickMeasurement;
  warm: TickMeasurement;
  /** Raffles whose cached chatters would still be there for a tick 60 s after the cold one started. */
  cachedAtNextMinute: number;
}

const minuteMilliseconds = 60_000;
/** Fan-out stays off below this many live raffles (the direct path); the fan-out run sets production's default (worker/env.ts). */
const directPathThreshold = 100_000;
/** TICK_FANOUT_THRESHOLD when not set (worker/env.ts). */
export const productionFanoutThreshold = defaultTickFanoutThreshold;

/**
 * Two consecutive minutes of `raffles` due live raffles on a fresh Worker (a new isolate, so the
 * first tick also fetches the app token): the first with an empty chatter cache, the second
 * right after it with the cache filled. The seeded guilds are deleted afterwards.
 */
export async function runRaffleMinutes(stack: BenchStack, options: RaffleMinutesOptions): Promise<RaffleMinutes> {
  const firstSlotAt = Math.floor(Date.now() / minuteMilliseconds) * minuteMilliseconds;
  const seeded = await seedLiveRaffles(stack, {
    batch: options.batch,
    count: options.raffles,
    chattersPerChannel: options.chattersPerChannel,
    firstSlotAt,
  });
  try {
    const tickLog = new TickLog();
    const worker = await startBenchWorker({
      directory: options.directory,
      bindings: stack.createBindings({
        fanoutThreshold: options.path === "direct" ? directPathThreshold : productionFanoutThreshold,
      }),
      onLogLine: tickLog.receiveLine,
    });
    try {
      const context = { stack, worker, tickLog, probe: new DatabaseProbe(stack.databaseUrl) };
      const run = { path: options.path, raffles: options.raffles };
      const coldStartedAt = Date.now();
      const cold = await measureTick(context, { ...run, minute: "cold", scheduledTime: firstSlotAt });
      const cachedAtNextMinute = await countCachedChattersAt(
        stack.redisUrl,
        seeded.guilds.map((guild) => guild.broadcasterId),
        coldStartedAt + minuteMilliseconds,
      );
      const warm = await measureTick(context, {
        ...run,
        minute: "warm",
        scheduledTime: firstSlotAt + minuteMilliseconds,
      });
      return { cold, warm, cachedAtNextMinute };
    } finally {
      await worker.stop();
    }
  } finally {
    await seeded.remove();
  }
}
