import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../../../scripts/migrate";
import { createTestDatabase, queryDatabase } from "../../support/testDatabase";

// 0021 on a database that already has raffles paused for their channel (which gave their
// announcements up at once before it): their channels are held and those draws wait again, so the
// tick's probe announces them and resumes the raffle once the permission is fixed.
const sqlDirectory = join(import.meta.dirname, "..", "..", "..", "sql");
const migration = "0021_notice_outbox_and_channel_holds.sql";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("0021_notice_outbox_and_channel_holds", () => {
  it("holds the channel of a raffle paused for it and sets its given-up draws waiting again", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const directory = await mkdtemp(join(tmpdir(), "liveloot-sql-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    await cp(sqlDirectory, directory, { recursive: true });
    // The database as it was before 0021: without it and every later migration.
    for (const file of await readdir(join(directory, "migrations")))
      if (file.endsWith(".sql") && Number(file.slice(0, 4)) >= 21) await rm(join(directory, "migrations", file));
    await migrate({ databaseUrl: database.url, directory, log: () => {} });

    const guildId = "111111111111111111";
    const channelId = "222222222222222222";
    await queryDatabase(database.url, "insert into guilds (id) values ($1)", [guildId]);
    const [raffle] = await queryDatabase<{ id: string }>(
      database.url,
      `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
         status, status_reason)
       values ($1, $2, '1', 'somebody', 'paused', 'channel_unavailable') returning id::text`,
      [guildId, channelId],
    );
    const insertDraw = (minute: number, status: string, error: string | null) =>
      queryDatabase(
        database.url,
        `insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
           winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count,
           announcement_status, announcement_last_error)
         values ($1, $2, 'scheduled', now() + make_interval(mins => $3), 'Sword', '3000000000', 'winner', 'Winner',
           '{0}', 0, '[]', '[]', 1, $4, $5)`,
        [raffle?.id, guildId, minute, status, error],
      );
    await insertDraw(0, "failed", "channel unavailable: DiscordApiError: Discord answered 403");
    await insertDraw(1, "failed", "DiscordApiError: Discord answered 400 for /channels/x/messages");

    await cp(join(sqlDirectory, "migrations", migration), join(directory, "migrations", migration));
    const result = await migrate({ databaseUrl: database.url, directory, log: () => {} });
    expect(result.applied).toEqual([migration]);

    expect(await queryDatabase(database.url, "select guild_id, discord_channel_id from discord_channel_holds")).toEqual(
      [{ guild_id: guildId, discord_channel_id: channelId }],
    );
    // Only the draw refused for its channel waits again; one Discord refused for its body stays given up.
    expect(await queryDatabase(database.url, "select announcement_status from draws order by slot_at")).toEqual([
      { announcement_status: "pending" },
      { announcement_status: "failed" },
    ]);
  });
});
