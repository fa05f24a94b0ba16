import pg from "pg";
import { noGates, type RaffleGates } from "../../worker/domain/gates";
import { chatGateScopes, requestedTwitchScopes } from "../../worker/twitch/scopes";
import { DatabaseProbe } from "./DatabaseProbe";
import { measureTick, type TickMeasurement } from "./measureTick";
import { countKnownFollows, seedGateFacts } from "./seedGateFacts";
import { seedLiveRaffles } from "./seedLiveRaffles";
import type { BenchStack } from "./startBenchStack";
import { type BenchWorker, startBenchWorker } from "./startBenchWorker";
import { TickLog } from "./TickLog";

/** One row of the gates table: a gate set, a chat size. */
export interface GateCase {
  label: string;
  gates: RaffleGates;
}

export const gateCases: readonly GateCase[] = [
  { label: "no gates", gates: noGates },
  { label: "followers_only", gates: { ...noGates, followersOnly: true } },
  { label: "min_follow_minutes 10080", gates: { ...noGates, minFollowMinutes: 10_080 } },
  { label: "subscribers_only", gates: { ...noGates, subscribersOnly: true } },
  { label: "min_account_days 30", gates: { ...noGates, minAccountDays: 30 } },
  { label: "active_minutes 10", gates: { ...noGates, activeMinutes: 10 } },
  {
    label: "all gates",
    gates: {
      followersOnly: true,
      minFollowMinutes: 10_080,
      subscribersOnly: true,
      minAccountDays: 30,
      activeMinutes: 10,
    },
  },
];

export interface GatedRow {
  label: string;
  chattersPerChannel: number;
  raffles: number;
  /** The first minute (nothing cached: chatters nor gate facts), then the warm ones right after it. */
  minutes: TickMeasurement[];
}

export interface FollowersWarmUp {
  chattersPerChannel: number;
  raffles: number;
  /** Per minute (1 = cold): the fewest and most chatters a raffle's followers gate knows after it. */
  knownAfterMinute: { fewest: number; most: number; drawn: number; followerCalls: number }[];
}

export interface GatesRun {
  rows: GatedRow[];
  followersWarmUp: FollowersWarmUp;
}

export interface GatesOptions {
  directory: string;
  /** Distinguishes each row's ids (seedLiveRaffles' batch); rows use `firstBatch`, `firstBatch + 1`, …. */
  firstBatch: number;
  raffles: number;
  chatSizes: readonly number[];
  /** Minutes measured per row: the cold one and `minutesPerRow - 1` warm ones. */
  minutesPerRow: number;
  /** Longest run of the followers warm-up (followers_only, the smallest chat) before giving up. */
  warmUpMinutes: number;
}

const minuteMilliseconds = 60_000;
/**
 * The direct path: the tick draws every raffle itself. (In production 5 gated raffles weigh 15 >
 * 13 and would fan out; the per-raffle costs are the same, the shared ones are paid per consumer batch.)
 */
const directPathThreshold = 100_000;
/** A link that can answer every gate's question. */
const allGateScopes = [...new Set([...requestedTwitchScopes, ...chatGateScopes])];

/**
 * The gates table: for each gate on its own, no gate and all of them, and each chat size, a few
 * raffles with that gate, measured over a cold minute and the warm ones after it, on one Worker
 * (warmed up first, so no row pays for the isolate's app token). Then the followers gate's
 * warm-up: minutes until every chatter of a small chat is known.
 */
export async function runGatedMinutes(stack: BenchStack, options: GatesOptions): Promise<GatesRun> {
  const tickLog = new TickLog();
  const worker = await startBenchWorker({
    directory: options.directory,
    bindings: stack.createBindings({ fanoutThreshold: directPathThreshold }),
    onLogLine: tickLog.receiveLine,
  });
  const context = { stack, worker, tickLog, probe: new DatabaseProbe(stack.databaseUrl) };
  try {
    let batch = options.firstBatch;
    // The isolate's first tick fetches the app token and drand's chain info: not a gate's cost.
    await runRow(context, { label: "warm-up", gates: noGates }, batch++, 1, 50, 1);
    const rows: GatedRow[] = [];
    for (const chattersPerChannel of options.chatSizes) {
      for (const gateCase of gateCases) {
        console.error(`gates: ${gateCase.label}, ${chattersPerChannel} chatters…`);
        const { row } = await runRow(
          context,
          gateCase,
          batch++,
          options.raffles,
          chattersPerChannel,
          options.minutesPerRow,
        );
        rows.push(row);
      }
    }
    const smallest = Math.min(...options.chatSizes);
    console.error(`gates: followers_only warm-up, ${smallest} chatters…`);
    const followersWarmUp = await runFollowersWarmUp(
      context,
      batch++,
      options.raffles,
      smallest,
      options.warmUpMinutes,
    );
    return { rows, followersWarmUp };
  } finally {
    await worker.stop();
  }
}

interface GateContext {
  stack: BenchStack;
  worker: BenchWorker;
  tickLog: TickLog;
  probe: DatabaseProbe;
}

async function runRow(
  context: GateContext,
  gateCase: GateCase,
  batch: number,
  raffles: number,
  chattersPerChannel: number,
  minutes: number,
): Promise<{ row: GatedRow }> {
  const measured: TickMeasurement[] = [];
  await withGatedRaffles(context.stack, gateCase.gates, batch, raffles, chattersPerChannel, async (firstSlotAt) => {
    for (let minute = 0; minute < minutes; minute += 1) {
      measured.push(
        await measureTick(context, {
          path: "direct",
          raffles,
          minute: minute === 0 ? "cold" : "warm",
          scheduledTime: firstSlotAt + minute * minuteMilliseconds,
          settle: "drawn",
        }),
      );
    }
  });
  return { row: { label: gateCase.label, chattersPerChannel, raffles, minutes: measured } };
}

async function runFollowersWarmUp(
  context: GateContext,
  batch: number,
  raffles: number,
  chattersPerChannel: number,
  maximumMinutes: number,
): Promise<FollowersWarmUp> {
  const knownAfterMinute: FollowersWarmUp["knownAfterMinute"] = [];
  await withGatedRaffles(
    context.stack,
    { ...noGates, followersOnly: true },
    batch,
    raffles,
    chattersPerChannel,
    async (firstSlotAt, chatters) => {
      for (let minute = 0; minute < maximumMinutes; minute += 1) {
        const tick = await measureTick(context, {
          path: "direct",
          raffles,
          minute: minute === 0 ? "cold" : "warm",
          scheduledTime: firstSlotAt + minute * minuteMilliseconds,
          settle: "drawn",
        });
        const known = await countKnownFollows(
          context.stack.redisUrl,
          chatters,
          firstSlotAt + minute * minuteMilliseconds,
        );
        knownAfterMinute.push({
          fewest: Math.min(...known),
          most: Math.max(...known),
          drawn: tick.summary.drawn,
          followerCalls: tick.subrequests.helixFollowers,
        });
        if (Math.min(...known) >= chattersPerChannel) break;
      }
    },
  );
  return { chattersPerChannel, raffles, knownAfterMinute };
}

/** Seeds `raffles` live raffles with `gates`, every link granted every gate's scopes, and their chat's facts. */
async function withGatedRaffles(
  stack: BenchStack,
  gates: RaffleGates,
  batch: number,
  raffles: number,
  chattersPerChannel: number,
  run: (firstSlotAt: number, chatters: Awaited<ReturnType<typeof seedGateFacts>>) => Promise<void>,
): Promise<void> {
  const firstSlotAt = Math.floor(Date.now() / minuteMilliseconds) * minuteMilliseconds;
  const seeded = await seedLiveRaffles(stack, {
    batch,
    count: raffles,
    chattersPerChannel,
    firstSlotAt,
    scopes: allGateScopes,
  });
  try {
    await setGates(
      stack.databaseUrl,
      seeded.guilds.map((guild) => guild.guildId),
      gates,
    );
    const chatters = await seedGateFacts(stack, seeded.guilds, chattersPerChannel, firstSlotAt);
    await run(firstSlotAt, chatters);
  } finally {
    await seeded.remove();
  }
}

/** The gate columns (sql/migrations/0014_raffle_gates.sql), set directly on the seeded raffles. */
async function setGates(databaseUrl: string, guildIds: readonly string[], gates: RaffleGates): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `update raffles set followers_only = $2, min_follow_minutes = $3, subscribers_only = $4,
         min_account_days = $5, active_minutes = $6
       where guild_id = any($1::text[])`,
      [
        guildIds,
        gates.followersOnly,
        gates.minFollowMinutes,
        gates.subscribersOnly,
        gates.minAccountDays,
        gates.activeMinutes,
      ],
    );
    // The chat gate reads only while the channel's channel.chat.message subscription is enabled
    // (Twitch verified its challenge): recorded here as the Worker would after the challenge.
    if (gates.activeMinutes > 0) {
      await client.query(
        `with chat as (
           insert into twitch_eventsub_subscriptions (twitch_subscription_id, type, version, condition, status, broadcaster_id)
           select 'bench-chat-' || r.twitch_broadcaster_id, 'channel.chat.message', '1',
             jsonb_build_object('broadcaster_user_id', r.twitch_broadcaster_id, 'user_id', r.twitch_broadcaster_id),
             'enabled', r.twitch_broadcaster_id
           from raffles r where r.guild_id = any($1::text[]) and r.status = 'running'
           on conflict (type, condition) do update set status = 'enabled'
           returning id, broadcaster_id
         )
         insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id)
         select chat.id, r.guild_id from chat join raffles r on r.twitch_broadcaster_id = chat.broadcaster_id
         where r.guild_id = any($1::text[])
         on conflict do nothing`,
        [guildIds],
      );
    }
  } finally {
    await client.end();
  }
}
