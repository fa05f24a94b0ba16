import { afterAll, expect } from "vitest";
import { englishMessages, type MessageKey } from "../../../worker/i18n/en-US";
import { portugueseMessages } from "../../../worker/i18n/pt-BR";
import { createTwitchUser, discordControl, linkTwitch, readEditedReply, runCommand, twitchControl } from "./fakes";
import { createScene, createSnowflake, type InteractionScene } from "./interactions";
import { openTestDatabase } from "./testDatabase";

/** One database handle per test file, closed when the file is done. */
export function useTestDatabase() {
  const database = openTestDatabase();
  afterAll(() => database.close());
  return database;
}

/** The exact reply text the Worker should send: the i18n template with its placeholders filled. */
export function message(key: MessageKey, parameters: Record<string, string | number> = {}, locale = "en-US"): string {
  const template = locale === "pt-BR" ? portugueseMessages[key] : englishMessages[key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in parameters ? String(parameters[name]) : placeholder,
  );
}

type CommandResult = Awaited<ReturnType<typeof runCommand>>;

/** An immediate (type 4), ephemeral (flags 64) answer with exactly this text, over HTTP 200. */
export function expectEphemeralReply(result: CommandResult, content: string): void {
  expect(result.status).toBe(200);
  expect(result.body.type).toBe(4);
  expect(result.body.data?.flags).toBe(64);
  expect(result.body.data?.content).toBe(content);
}

/** An immediate, public (flags 0) answer with exactly this text. */
export function expectPublicReply(result: CommandResult, content: string): void {
  expect(result.status).toBe(200);
  expect(result.body.type).toBe(4);
  expect(result.body.data?.flags ?? 0).toBe(0);
  expect(result.body.data?.content).toBe(content);
}

/** The single embed of an immediate answer. */
export function readEmbed(result: CommandResult) {
  expect(result.body.type).toBe(4);
  const embeds = result.body.data?.embeds ?? [];
  expect(embeds).toHaveLength(1);
  return embeds[0] as {
    title?: string;
    description?: string;
    footer?: { text: string };
    fields?: { name: string; value: string; inline?: boolean }[];
    color?: number;
  };
}

export interface LootRow {
  id: string;
  name: string;
  weight: number;
  stock: number | null;
  enabled: boolean;
}

export interface RaffleRow {
  id: string;
  discord_channel_id: string;
  twitch_broadcaster_id: string;
  twitch_broadcaster_login: string;
  every_minutes: number;
  cooldown_minutes: number;
  status: string;
  status_reason: string | null;
  started_by_discord_user_id: string | null;
  started_at: Date;
  stopped_at: Date | null;
  next_slot_at: Date;
  draw_count: number;
}

export interface DrawRow {
  id: string;
  raffle_id: string;
  kind: string;
  slot_at: Date;
  item_id: string | null;
  item_name: string;
  winner_twitch_user_id: string;
  winner_twitch_login: string;
  winner_twitch_display_name: string;
  candidate_count: number;
  announcement_status: string;
  announcement_message_id: string | null;
}

type Database = ReturnType<typeof openTestDatabase>;

export function readItems(database: Database, guildId: string): Promise<LootRow[]> {
  return database.query<LootRow>(
    "select id::text, name, weight, stock, enabled from loot_items where guild_id = $1 order by id",
    [guildId],
  );
}

export function readRaffles(database: Database, guildId: string): Promise<RaffleRow[]> {
  return database.query<RaffleRow>(
    `select id::text, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, every_minutes,
       cooldown_minutes, status, status_reason, started_by_discord_user_id, started_at, stopped_at, next_slot_at,
       draw_count
     from raffles where guild_id = $1 order by id`,
    [guildId],
  );
}

export function readDraws(database: Database, guildId: string): Promise<DrawRow[]> {
  return database.query<DrawRow>(
    `select id::text, raffle_id::text, kind, slot_at, item_id::text, item_name, winner_twitch_user_id,
       winner_twitch_login, winner_twitch_display_name, candidate_count, announcement_status, announcement_message_id
     from draws where guild_id = $1 order by id`,
    [guildId],
  );
}

/** A Twitch viewer in chat, with a unique id and login. */
export function createChatter(prefix = "viewer", displayName?: string) {
  const id = String(Number.parseInt(createSnowflake().slice(-9), 10) + 2_000_000_000);
  const login = `${prefix}_${id}`.toLowerCase().slice(0, 25);
  return { id, login, displayName: displayName ?? login };
}

/**
 * A guild with a linked Twitch account and an announcement channel known to the Discord fake:
 * what every raffle test starts from.
 */
export async function createLinkedScene(overrides: Partial<InteractionScene> = {}) {
  const scene = createScene(overrides);
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer);
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  return { scene, streamer };
}

/** Linked, with loot, a raffle started (cooldown 0 unless given) and these viewers in chat. */
export async function createRunningRaffle(
  options: {
    items?: string;
    cooldown?: number;
    chatters?: { id: string; login: string; displayName?: string }[];
    locale?: string;
  } = {},
) {
  const { scene, streamer } = await createLinkedScene(options.locale ? { locale: options.locale } : {});
  const imported = await runCommand(scene, "loot", "import", { items: options.items ?? "Sword:1" });
  expect(imported.body.data?.content).toMatch(/^(Imported|Lista importada)/);
  const started = await runCommand(scene, "raffle", "start", { cooldown: options.cooldown ?? 0 });
  expect(started.body.data?.content).toMatch(/^🎁/);
  const viewer = createChatter("viewer", "Real_Viewer");
  await twitchControl().setChatters(streamer.id, { chatters: options.chatters ?? [viewer] });
  return { scene, streamer, viewer };
}

/** Runs /raffle draw and returns the immediate answer and the edited reply. */
export async function drawNow(scene: InteractionScene) {
  const result = await runCommand(scene, "raffle", "draw");
  const reply = result.body.type === 5 ? await readEditedReply(result.token) : null;
  return { result, reply };
}

/**
 * Inserts a raffle and draws straight into the database, for history tests that need many
 * draws at known times (the draws' randomness columns hold placeholders).
 */
export async function insertDraws(
  database: Database,
  guildId: string,
  draws: { slotAt: Date; itemName: string; winnerName: string; delivered: boolean }[],
): Promise<void> {
  await database.query("insert into guilds (id) values ($1) on conflict do nothing", [guildId]);
  const [raffle] = await database.query<{ id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       status, status_reason, stopped_at)
     values ($1, $2, '1', 'somebody', 'stopped', 'stopped_by_user', now()) returning id::text`,
    [guildId, createSnowflake()],
  );
  for (const [index, draw] of draws.entries()) {
    await database.query(
      `insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
         winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count,
         announcement_status, announcement_message_id, announced_at)
       values ($1, $2, 'scheduled', $3, $4, $5, $6, $7, '{0}', 0, '[]', '[]', 1,
         $8, $9, case when $8 = 'delivered' then now() end)`,
      [
        raffle?.id,
        guildId,
        draw.slotAt,
        draw.itemName,
        String(3_000_000_000 + index),
        `winner_${index}`,
        draw.winnerName,
        draw.delivered ? "delivered" : "pending",
        draw.delivered ? createSnowflake() : null,
      ],
    );
  }
}
