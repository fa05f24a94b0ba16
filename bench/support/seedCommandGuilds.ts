import pg from "pg";
import { testCredentials } from "../../devkit/localBindings";
import { connectRedis } from "../../devkit/services/connectRedis";
import { chatterCountKey, chatterSetKey } from "../../worker/cache/chatterCache";
import { tokenPurpose } from "../../worker/security/keys";
import { TokenCipher } from "../../worker/security/TokenCipher";
import { listDesiredSubscriptions } from "../../worker/twitch/eventSubSubscriptions";
import { requestedTwitchScopes } from "../../worker/twitch/scopes";
import { mintUserTokens } from "./mintUserTokens";
import type { BenchStack } from "./startBenchStack";

/** A Discord server of the command benchmark, with its linked Twitch channel. */
export interface CommandGuild {
  guildId: string;
  /** Where the streamer types commands and where the raffle announces. */
  channelId: string;
  channelName: string;
  broadcasterId: string;
  login: string;
  /** The streamer (Manage Server), who linked Twitch and started the raffle. */
  streamerUserId: string;
}

export interface CommandGuilds {
  /** The guild every read command and /loot add run in: running raffle, 20 items, 200 past draws. */
  main: CommandGuild;
  /** One guild per concurrent /raffle start → /raffle stop lane: linked, 20 items, no active raffle. */
  lanes: CommandGuild[];
  /** The loot table's item names, as seeded (the /loot add and autocomplete inputs come from it). */
  itemNames: readonly string[];
}

export interface CommandSeedOptions {
  /** Guilds for /raffle start and /raffle stop: as many as the highest concurrency. */
  laneCount: number;
  /** Past draws of the main guild (/raffle history pages through them). */
  pastDraws: number;
  chattersPerChannel: number;
}

/** A streamer's loot table: Twitch-y rewards, mixed weights, some with stock. */
export const benchLootTable: readonly { name: string; weight: number; stock: number | null }[] = [
  { name: "Steam key: Hades II", weight: 5, stock: 3 },
  { name: "Steam key: Balatro", weight: 8, stock: 5 },
  { name: "Steam key: Celeste", weight: 8, stock: null },
  { name: "Discord Nitro (1 month)", weight: 3, stock: 2 },
  { name: "Channel VIP for a week", weight: 20, stock: null },
  { name: "Choose the next game", weight: 10, stock: null },
  { name: "Shout-out on stream", weight: 40, stock: null },
  { name: "Custom emote slot", weight: 2, stock: 1 },
  { name: "Signed poster", weight: 4, stock: 10 },
  { name: "Sticker pack", weight: 25, stock: 50 },
  { name: "Mouse pad", weight: 6, stock: 4 },
  { name: "Coffee with the streamer", weight: 1, stock: 1 },
  { name: "Gift sub", weight: 30, stock: null },
  { name: "5 gift subs", weight: 5, stock: null },
  { name: "Name a boss in the run", weight: 12, stock: null },
  { name: "Sword skin code", weight: 15, stock: 20 },
  { name: "Shield skin code", weight: 15, stock: 20 },
  { name: "Mystery box", weight: 7, stock: null },
  { name: "Art commission (sketch)", weight: 2, stock: 2 },
  { name: "Hydrate reminder (30 min)", weight: 50, stock: null },
];

const minuteMilliseconds = 60_000;
const winnersPool = 400;

/**
 * Production-shaped ids (19-digit snowflakes; a Twitch user id of 9 digits) that no other
 * benchmark uses: `index` 0 is the main guild, 1… the lanes.
 */
export function describeCommandGuild(index: number): CommandGuild {
  const suffix = String(index).padStart(4, "0");
  const broadcasterId = `58${String(index).padStart(7, "0")}`;
  return {
    guildId: `119283746501234${suffix}`,
    channelId: `119283746502234${suffix}`,
    channelName: "giveaways",
    broadcasterId,
    login: index === 0 ? "bench_streamer" : `bench_streamer_${index}`,
    streamerUserId: `119283746503234${suffix}`,
  };
}

/**
 * Seeds what a streamer who has used LiveLoot for a while has: a Twitch link with real tokens of
 * the fake (and its EventSub subscriptions enabled), the loot table, and for the main guild a
 * raffle that has been running (live channel, the chatters the tick cached in Redis) plus a
 * stopped one before it, `pastDraws` delivered draws between them. The lane guilds have the
 * link and the loot table, and a stopped raffle (so /raffle start makes a new one).
 */
export async function seedCommandGuilds(stack: BenchStack, options: CommandSeedOptions): Promise<CommandGuilds> {
  const main = describeCommandGuild(0);
  const lanes = Array.from({ length: options.laneCount }, (_, index) => describeCommandGuild(index + 1));
  const guilds = [main, ...lanes];
  await stack.twitch.upsertUsers(
    guilds.map((guild) => ({ id: guild.broadcasterId, login: guild.login, displayName: guild.login })),
  );
  for (const guild of guilds) {
    await stack.twitch.setLive(guild.broadcasterId, { title: "Roguelike Sunday: loot every minute" });
    await stack.twitch.setChatters(guild.broadcasterId, { count: options.chattersPerChannel });
  }
  const cipher = await TokenCipher.fromBase64Key(testCredentials.tokenEncryptionKey);
  const now = Date.now();
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    for (const guild of guilds) {
      const tokens = await mintUserTokens(stack.twitch, stack.twitchUrl, guild.broadcasterId, [
        ...requestedTwitchScopes,
      ]);
      const accessToken = await cipher.seal(tokens.accessToken, tokenPurpose.accessToken(guild.guildId));
      const refreshToken = await cipher.seal(tokens.refreshToken, tokenPurpose.refreshToken(guild.guildId));
      await client.query("insert into guilds (id, locale) values ($1, 'en-US')", [guild.guildId]);
      await client.query(
        `insert into twitch_links (guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes,
           access_token_ciphertext, refresh_token_ciphertext, token_key_id, access_token_expires_at, status,
           last_validated_at, linked_by_discord_user_id, created_at)
         values ($1, $2, $3, $12, $4, $5, $6, $7, $8, 'active', $9, $10, $11)`,
        [
          guild.guildId,
          guild.broadcasterId,
          guild.login,
          tokens.scopes,
          accessToken.ciphertext,
          refreshToken.ciphertext,
          cipher.keyId,
          new Date(tokens.expiresAt),
          new Date(now - 20 * minuteMilliseconds),
          guild.streamerUserId,
          new Date(now - 30 * 24 * 60 * minuteMilliseconds),
          guild.login,
        ],
      );
      for (const [index, subscription] of listDesiredSubscriptions(guild.broadcasterId, tokens.scopes).entries()) {
        await client.query(
          `with subscription as (
             insert into twitch_eventsub_subscriptions
               (twitch_subscription_id, broadcaster_id, type, version, condition, status)
             values ($2, $6, $3, $4, $5, 'enabled') returning id
           )
           insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id) select id, $1 from subscription`,
          [
            guild.guildId,
            `bench-${guild.guildId}-${index}`,
            subscription.type,
            subscription.version,
            JSON.stringify(subscription.condition),
            guild.broadcasterId,
          ],
        );
      }
      await client.query(
        `insert into loot_items (guild_id, name, weight, stock)
         select $1, item.name, item.weight, item.stock
         from unnest($2::text[], $3::integer[], $4::integer[]) as item(name, weight, stock)`,
        [
          guild.guildId,
          benchLootTable.map((item) => item.name),
          benchLootTable.map((item) => item.weight),
          benchLootTable.map((item) => item.stock),
        ],
      );
      await client.query(
        `insert into twitch_channel_liveness (broadcaster_id, is_live, stream_started_at, observed_at, source, polled_at)
         values ($1, true, $2, $3, 'eventsub', $3)`,
        [guild.broadcasterId, new Date(now - 95 * minuteMilliseconds), new Date(now - 2 * minuteMilliseconds)],
      );
      const pastRaffleId = await insertRaffle(client, guild, {
        status: "stopped",
        startedAt: now - 3 * 24 * 60 * minuteMilliseconds,
        everyMinutes: 2,
      });
      if (guild !== main) continue;
      const runningRaffleId = await insertRaffle(client, guild, {
        status: "running",
        startedAt: now - 90 * minuteMilliseconds,
        everyMinutes: 1,
      });
      // Most of the history is from the earlier stream (every 2 minutes), the rest from this one.
      const currentDraws = Math.min(options.pastDraws, 80);
      await insertDraws(client, guild, pastRaffleId, options.pastDraws - currentDraws, {
        firstSlotAt: now - 3 * 24 * 60 * minuteMilliseconds,
        everyMinutes: 2,
        firstNumber: 1,
      });
      await insertDraws(client, guild, runningRaffleId, currentDraws, {
        firstSlotAt: floorToMinute(now) - currentDraws * minuteMilliseconds,
        everyMinutes: 1,
        // Draw numbers run on across the server's raffles (record_draw numbers them per guild).
        firstNumber: options.pastDraws - currentDraws + 1,
      });
    }
    await client.query("commit");
    await client.query("analyze");
    await quietAutovacuum(client);
  } catch (error) {
    await client.query("rollback").catch(() => {
      // The seed's error is the one worth reporting.
    });
    throw error;
  } finally {
    await client.end();
  }
  await cacheChatters(stack.redisUrl, main.broadcasterId, options.chattersPerChannel, now);
  return { main, lanes, itemNames: benchLootTable.map((item) => item.name) };
}

async function insertRaffle(
  client: pg.Client,
  guild: CommandGuild,
  raffle: { status: "running" | "stopped"; startedAt: number; everyMinutes: number },
): Promise<string> {
  const running = raffle.status === "running";
  const nextSlotAt = running ? floorToMinute(Date.now()) + minuteMilliseconds : raffle.startedAt + 3 * 60 * 60_000;
  const { rows } = await client.query<{ id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       every_minutes, cooldown_minutes, status, status_reason, started_by_discord_user_id, started_at, stopped_at,
       last_slot_at, next_slot_at)
     values ($1, $2, $3, $4, $5, 30, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [
      guild.guildId,
      guild.channelId,
      guild.broadcasterId,
      guild.login,
      raffle.everyMinutes,
      raffle.status,
      running ? null : "stopped_by_user",
      guild.streamerUserId,
      new Date(raffle.startedAt),
      running ? null : new Date(nextSlotAt),
      new Date(nextSlotAt - raffle.everyMinutes * minuteMilliseconds),
      new Date(nextSlotAt),
    ],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error("no raffle id returned");
  return id;
}

/** Delivered draws as record_draw records them, winners from a pool of regular chatters. */
async function insertDraws(
  client: pg.Client,
  guild: CommandGuild,
  raffleId: string,
  count: number,
  schedule: { firstSlotAt: number; everyMinutes: number; firstNumber: number },
): Promise<void> {
  if (count === 0) return;
  const { rows: items } = await client.query<{ id: string; name: string; weight: number }>(
    "select id, name, weight from loot_items where guild_id = $1 order by id",
    [guild.guildId],
  );
  const itemPool = JSON.stringify(items.map((item) => ({ id: Number(item.id), weight: item.weight })));
  const draws = Array.from({ length: count }, (_, index) => {
    const item = items[(index * 7) % items.length];
    if (item === undefined) throw new Error("no loot items");
    const winner = (index * 37) % winnersPool;
    const winnerId = `${guild.broadcasterId}${String(winner + 1).padStart(5, "0")}`;
    const slotAt = new Date(schedule.firstSlotAt + index * schedule.everyMinutes * minuteMilliseconds);
    return {
      slotAt,
      itemId: item.id,
      itemName: item.name,
      winnerId,
      winnerLogin: `viewer_${String(winner + 1).padStart(5, "0")}`,
      candidates: JSON.stringify([{ id: winnerId, login: `viewer_${String(winner + 1).padStart(5, "0")}` }]),
      messageId: `11929374650${String(Number(raffleId) % 100).padStart(2, "0")}${String(index).padStart(6, "0")}`,
    };
  });
  await client.query(
    `insert into draws (raffle_id, guild_id, kind, slot_at, item_id, item_name, winner_twitch_user_id,
       winner_twitch_login, winner_twitch_display_name, random_words, item_roll, item_pool, candidates,
       candidate_count, announcement_status, announcement_attempts, announcement_message_id, announced_at,
       draw_number)
     select $1, $2, 'scheduled', d.slot_at, d.item_id, d.item_name, d.winner_id, d.winner_login, d.winner_login,
       array[7, 11, 13]::bigint[], 3, $3::jsonb, d.candidates, 50, 'delivered', 1, d.message_id,
       d.slot_at + interval '2 seconds', d.position + $11 - 1
     from unnest($4::timestamptz[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[])
       with ordinality as d(slot_at, item_id, item_name, winner_id, winner_login, candidates, message_id, position)`,
    [
      raffleId,
      guild.guildId,
      itemPool,
      draws.map((draw) => draw.slotAt),
      draws.map((draw) => draw.itemId),
      draws.map((draw) => draw.itemName),
      draws.map((draw) => draw.winnerId),
      draws.map((draw) => draw.winnerLogin),
      draws.map((draw) => draw.candidates),
      draws.map((draw) => draw.messageId),
      schedule.firstNumber,
    ],
  );
  await client.query("update raffles set draw_count = $2 where id = $1", [raffleId, count]);
}

/**
 * Round trips are counted as transactions in pg_stat_database, and an autovacuum or autoanalyze
 * worker's transactions count there too: /loot add updates rows often enough to set one off.
 * The benchmark's own throwaway database goes without (its tables are small; analyzed above).
 */
async function quietAutovacuum(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    "select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = 'public'",
  );
  for (const table of rows) await client.query(`alter table ${table.name} set (autovacuum_enabled = false)`);
}

/** What the tick leaves in Redis for a live channel: the chatter set and its count (read by /raffle status). */
async function cacheChatters(redisUrl: string, broadcasterId: string, chatters: number, now: number): Promise<void> {
  const redis = await connectRedis(redisUrl);
  try {
    const members = Array.from({ length: chatters }, (_, index) => {
      const number = String(index + 1).padStart(5, "0");
      return JSON.stringify([`${broadcasterId}${number}`, `viewer_${number}`, `viewer_${number}`]);
    });
    // A long TTL: the benchmark reads the count for minutes; the Worker judges freshness by fetchedAt anyway.
    await redis
      .multi()
      .sadd(chatterSetKey(broadcasterId), ...members)
      .expire(chatterSetKey(broadcasterId), 3600)
      .set(chatterCountKey(broadcasterId), JSON.stringify({ count: chatters, fetchedAt: now }), "EX", 3600)
      .exec();
  } finally {
    redis.disconnect();
  }
}

function floorToMinute(milliseconds: number): number {
  return Math.floor(milliseconds / minuteMilliseconds) * minuteMilliseconds;
}
