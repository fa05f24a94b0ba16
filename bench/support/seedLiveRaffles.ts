import pg from "pg";
import { testCredentials } from "../../devkit/localBindings";
import { mapWithConcurrency } from "../../worker/lib/mapWithConcurrency";
import { tokenPurpose } from "../../worker/security/keys";
import { TokenCipher } from "../../worker/security/TokenCipher";
import { requiredTwitchScopes } from "../../worker/twitch/scopes";
import { mintUserTokens, type UserTokens } from "./mintUserTokens";
import type { BenchStack } from "./startBenchStack";

/** One guild of the benchmark: a linked streamer, a loot table and a running raffle in its own channel. */
export interface BenchGuild {
  guildId: string;
  channelId: string;
  broadcasterId: string;
  login: string;
  linkedByDiscordUserId: string;
}

export interface SeededRaffles {
  guilds: BenchGuild[];
  /** Deletes the guilds (and, by cascade, links, loot, raffles and draws). */
  remove(): Promise<void>;
}

export interface SeedOptions {
  /** Distinguishes the ids of one size from another's, so caches and call records never mix. */
  batch: number;
  count: number;
  chattersPerChannel: number;
  /** The minute of the first tick: every raffle is due then. */
  firstSlotAt: number;
  /** The scopes the links are granted (default: only the required ones, as for an ungated raffle). */
  scopes?: readonly string[];
}

const lootTable = [
  { name: "Sword", weight: 10 },
  { name: "Shield", weight: 5 },
  { name: "Crown", weight: 1 },
];
const setupConcurrency = 32;
const hourMilliseconds = 60 * 60 * 1000;
const minuteMilliseconds = 60 * 1000;

/**
 * Seeds `count` due, live raffles: the Twitch side (users, live streams, chatters, real tokens)
 * through the fake's control API, and the database side with a few bulk statements.
 */
export async function seedLiveRaffles(stack: BenchStack, options: SeedOptions): Promise<SeededRaffles> {
  const guilds = Array.from({ length: options.count }, (_, index) => describeBenchGuild(options.batch, index));
  await stack.twitch.upsertUsers(
    guilds.map((guild) => ({ id: guild.broadcasterId, login: guild.login, displayName: guild.login })),
  );
  const scopes = [...(options.scopes ?? requiredTwitchScopes)];
  const tokens = await mapWithConcurrency(guilds, setupConcurrency, async (guild) => {
    await stack.twitch.setLive(guild.broadcasterId, { title: "LiveLoot benchmark" });
    await stack.twitch.setChatters(guild.broadcasterId, { count: options.chattersPerChannel });
    return mintUserTokens(stack.twitch, stack.twitchUrl, guild.broadcasterId, scopes);
  });

  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    await insertGuilds(client, guilds, tokens, options.firstSlotAt, scopes);
  } finally {
    await client.end();
  }
  return {
    guilds,
    remove: async () => {
      const cleaner = new pg.Client({ connectionString: stack.databaseUrl });
      await cleaner.connect();
      try {
        await cleaner.query("delete from guilds where id = any($1::text[])", [guilds.map((guild) => guild.guildId)]);
      } finally {
        await cleaner.end();
      }
    },
  };
}

/** Snowflake-shaped and Twitch-shaped ids, unique per batch and index. */
export function describeBenchGuild(batch: number, index: number): BenchGuild {
  const suffix = `${String(batch).padStart(2, "0")}${String(index).padStart(6, "0")}`;
  const broadcasterId = `7${suffix}`;
  return {
    guildId: `9100000000${suffix}`,
    channelId: `9200000000${suffix}`,
    linkedByDiscordUserId: `9300000000${suffix}`,
    broadcasterId,
    login: `bench_${broadcasterId}`,
  };
}

async function insertGuilds(
  client: pg.Client,
  guilds: BenchGuild[],
  tokens: UserTokens[],
  firstSlotAt: number,
  scopes: readonly string[],
): Promise<void> {
  const cipher = await TokenCipher.fromBase64Key(testCredentials.tokenEncryptionKey);
  const sealed = await Promise.all(
    guilds.map(async (guild, index) => {
      const grant = tokens[index];
      if (grant === undefined) throw new Error(`no tokens for guild ${guild.guildId}`);
      return {
        grant,
        accessToken: await cipher.seal(grant.accessToken, tokenPurpose.accessToken(guild.guildId)),
        refreshToken: await cipher.seal(grant.refreshToken, tokenPurpose.refreshToken(guild.guildId)),
      };
    }),
  );
  const guildIds = guilds.map((guild) => guild.guildId);
  await client.query("begin");
  try {
    await client.query("insert into guilds (id) select unnest($1::text[])", [guildIds]);
    await client.query(
      `insert into twitch_links (guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes,
         access_token_ciphertext, refresh_token_ciphertext, token_key_id, access_token_expires_at, status,
         last_validated_at, linked_by_discord_user_id)
       select guild_id, user_id, login, login, $4::text[], access_token, refresh_token, $7, expires_at, 'active',
         validated_at, linked_by
       from unnest($1::text[], $2::text[], $3::text[], $5::text[], $6::text[], $8::timestamptz[],
         $9::timestamptz[], $10::text[])
         as link(guild_id, user_id, login, access_token, refresh_token, expires_at, validated_at, linked_by)`,
      [
        guildIds,
        guilds.map((guild) => guild.broadcasterId),
        guilds.map((guild) => guild.login),
        [...scopes],
        sealed.map((entry) => entry.accessToken.ciphertext),
        sealed.map((entry) => entry.refreshToken.ciphertext),
        cipher.keyId,
        sealed.map((entry) => new Date(entry.grant.expiresAt)),
        guilds.map((_, index) => new Date(spreadValidation(index, guilds.length, firstSlotAt))),
        guilds.map((guild) => guild.linkedByDiscordUserId),
      ],
    );
    await client.query(
      `insert into loot_items (guild_id, name, weight)
       select guild_id, item.name, item.weight
       from unnest($1::text[]) as guild(guild_id)
       cross join unnest($2::text[], $3::integer[]) as item(name, weight)`,
      [guildIds, lootTable.map((item) => item.name), lootTable.map((item) => item.weight)],
    );
    await client.query(
      `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
         every_minutes, cooldown_minutes, status, started_by_discord_user_id, next_slot_at)
       select guild_id, channel_id, broadcaster_id, login, 1, 30, 'running', started_by, $6
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         as raffle(guild_id, channel_id, broadcaster_id, login, started_by)`,
      [
        guildIds,
        guilds.map((guild) => guild.channelId),
        guilds.map((guild) => guild.broadcasterId),
        guilds.map((guild) => guild.login),
        guilds.map((guild) => guild.linkedByDiscordUserId),
        new Date(firstSlotAt),
      ],
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
  await client.query("analyze guilds, twitch_links, loot_items, raffles, draws");
}

/**
 * Twitch wants every token validated hourly, and the tick validates the links whose last check
 * is over an hour old. Spreading the last checks over the past hour gives the steady state:
 * about count / 60 links come due each minute, as in a deployment that has run for a while.
 */
function spreadValidation(index: number, count: number, firstSlotAt: number): number {
  return firstSlotAt - hourMilliseconds - minuteMilliseconds + ((index + 1) / count) * hourMilliseconds;
}
