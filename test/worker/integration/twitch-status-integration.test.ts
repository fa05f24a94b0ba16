import { afterAll, describe, expect, it } from "vitest";
import { createTwitchUser, linkTwitch, readEditedReply, runCommand } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { openTestDatabase } from "../../support/worker/testDatabase";

const database = openTestDatabase();
afterAll(() => database.close());

/** Twitch's raw words that a streamer should never have to read in /twitch status. */
const rawStatuses = [
  "webhook_callback_verification_pending",
  "authorization_revoked",
  "moderator_removed",
  "notification_failures_exceeded",
  "user_removed",
];

/** Links a fresh account (which creates every subscription), then sets the statuses Twitch would report. */
async function linkWithStatuses(scene: InteractionScene, statuses: Record<string, string>): Promise<void> {
  const user = await createTwitchUser();
  await linkTwitch(scene, user);
  for (const [type, status] of Object.entries(statuses)) {
    const rows = await database.query(
      `update twitch_eventsub_subscriptions s set status = $3 from twitch_eventsub_subscription_guilds g
       where g.subscription_id = s.id and g.guild_id = $1 and s.type = $2 returning s.type`,
      [scene.guildId, type, status],
    );
    expect(rows).toHaveLength(1);
  }
}

async function readEventSubField(scene: InteractionScene, fieldName: string): Promise<string> {
  const status = await runCommand(scene, "twitch", "status");
  const reply = await readEditedReply(status.token);
  const fields = (reply?.embeds as { fields?: { name: string; value: string }[] }[] | undefined)?.[0]?.fields ?? [];
  const field = fields.find((entry) => entry.name === fieldName);
  if (!field) throw new Error(`no "${fieldName}" field in ${JSON.stringify(reply)}`);
  return field.value;
}

describe("/twitch status names EventSub subscriptions and their states in words", () => {
  it("in English, one line per subscription, with a fallback for a status Twitch adds later", async () => {
    const scene = createScene();
    await linkWithStatuses(scene, {
      "stream.online": "enabled",
      "stream.offline": "webhook_callback_verification_pending",
      "channel.follow": "authorization_revoked",
      "channel.raid": "moderator_removed",
      "channel.subscribe": "notification_failures_exceeded",
      "channel.subscription.gift": "user_removed",
      "channel.cheer": "some_future_status",
    });
    const value = await readEventSubField(scene, "Live updates (EventSub)");
    expect(value.split("\n")).toEqual([
      "⚠️ Cheer with bits: not active (Twitch says `some_future_status`)",
      "⚠️ New follower: Twitch stopped it: permission revoked",
      "⚠️ Incoming raid: Twitch stopped it: the linked account is no longer a moderator",
      "⚠️ New subscriber: Twitch stopped it: too many deliveries failed",
      "⚠️ Gifted subs: Twitch stopped it: the Twitch account no longer exists",
      "⏳ Stream goes offline: waiting for Twitch to verify",
      "✅ Stream goes live: active",
    ]);
    for (const raw of rawStatuses) expect(value).not.toContain(raw);
    expect(value).not.toContain("stream.online");
  });

  it("shows a type it has no words for as code, and the remaining documented statuses", async () => {
    const scene = createScene();
    await linkWithStatuses(scene, {
      "stream.online": "webhook_callback_verification_failed",
      "stream.offline": "version_removed",
      "channel.follow": "beta_maintenance",
      "channel.raid": "chat_user_banned",
    });
    await database.query(
      `with subscription as (
         insert into twitch_eventsub_subscriptions (twitch_subscription_id, broadcaster_id, type, version, condition, status)
         select $2, l.twitch_user_id, 'channel.hype_train.begin', '1',
           jsonb_build_object('broadcaster_user_id', l.twitch_user_id), 'enabled'
         from twitch_links l where l.guild_id = $1 returning id
       )
       insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id) select id, $1 from subscription`,
      [scene.guildId, crypto.randomUUID()],
    );
    const lines = (await readEventSubField(scene, "Live updates (EventSub)")).split("\n");
    expect(lines).toContain("⚠️ Stream goes live: verification failed; run `/twitch connect` to retry");
    expect(lines).toContain("⚠️ Stream goes offline: Twitch stopped it: Twitch retired this kind of update");
    expect(lines).toContain("⚠️ New follower: Twitch stopped it: maintenance of a beta feature");
    expect(lines).toContain("⚠️ Incoming raid: Twitch stopped it: the linked account is banned from the chat");
    expect(lines).toContain("✅ `channel.hype_train.begin`: active");
  });

  it("in Portuguese for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    await linkWithStatuses(scene, {
      "stream.online": "enabled",
      "stream.offline": "webhook_callback_verification_pending",
      "channel.follow": "authorization_revoked",
      "channel.cheer": "some_future_status",
    });
    const lines = (await readEventSubField(scene, "Atualizações ao vivo (EventSub)")).split("\n");
    expect(lines).toContain("✅ Live começa: ativa");
    expect(lines).toContain("⏳ Live termina: aguardando a verificação da Twitch");
    expect(lines).toContain("⚠️ Novo seguidor: a Twitch a encerrou: permissão revogada");
    expect(lines).toContain("⚠️ Cheer com bits: inativa (a Twitch diz `some_future_status`)");
  });
});
