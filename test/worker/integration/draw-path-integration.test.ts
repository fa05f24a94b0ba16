import { describe, expect, it } from "vitest";
import {
  createRunningRaffle,
  drawNow,
  message,
  readDraws,
  readRaffles,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { discordControl, twitchControl } from "../../support/worker/fakes";

// Issue 11, "one draw path": /raffle draw goes through the same draw (raffle/makeDraw.ts) as the
// tick and the queue, so Twitch's answers mean the same thing whoever asked.

const database = useTestDatabase();

describe("/raffle draw through the one draw path", () => {
  it("pauses the raffle when Twitch forbids the chat (403), as a scheduled slot does", async () => {
    const { scene, streamer } = await createRunningRaffle();
    const failure = await twitchControl().injectFailure({
      method: "GET",
      path: "/helix/chat/chatters",
      contains: streamer.id,
      status: 403,
      times: 1,
    });
    const { reply } = await drawNow(scene);
    await twitchControl()
      .removeFailure(failure.id)
      .catch(() => {});
    expect(reply?.content).toBe(message("raffleChattersForbidden"));
    expect(await readDraws(database, scene.guildId)).toEqual([]);
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ status: "paused", status_reason: "chatters_forbidden" }),
    ]);
  });

  it("pauses at once, and tells the raffle's channel once, when the Twitch link needs re-authorization", async () => {
    const { scene } = await createRunningRaffle();
    await database.query("update twitch_links set status = 'needs_reauth' where guild_id = $1", [scene.guildId]);
    for (let round = 0; round < 2; round += 1) {
      expect((await drawNow(scene)).reply?.content).toBe(message("twitchNeedsReauthReply"));
    }
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ status: "paused", status_reason: "twitch_needs_reauth" }),
    ]);
    const notices = (await discordControl().listMessages(scene.channelId)).filter(
      (entry) => entry.content === message("twitchNeedsReauthNotice"),
    );
    expect(notices).toHaveLength(1);
    expect(await readDraws(database, scene.guildId)).toEqual([]);
  });

  it("leaves the raffle running when Twitch is unavailable (5xx): the slot is only skipped", async () => {
    const { scene, streamer } = await createRunningRaffle();
    const failure = await twitchControl().injectFailure({
      method: "GET",
      path: "/helix/chat/chatters",
      contains: streamer.id,
      status: 502,
      times: 5,
    });
    const { reply } = await drawNow(scene);
    await twitchControl()
      .removeFailure(failure.id)
      .catch(() => {});
    expect(reply?.content).toBe(message("tryAgainLater"));
    expect(await readRaffles(database, scene.guildId)).toEqual([
      expect.objectContaining({ status: "running", status_reason: null }),
    ]);
    // Twitch answers again: the next draw goes through.
    expect((await drawNow(scene)).reply?.content).toBe("🎉 **Real\\_Viewer** won **Sword**!");
  });
});
