import { expect, inject } from "vitest";
import { createSeededRandom } from "../../../bench/support/createSeededRandom";
import type { DiscordMessage, FailureRuleInput } from "../../../devkit/fakes/discordControl";
import type { Database } from "../../../worker/db/Database";
import type { WorkerBindings } from "../../../worker/env";
import { type DrawRecordJson, parseRaffleRecord } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import type { MessageKey } from "../../../worker/i18n/en-US";
import { referenceCheck } from "../fairnessReference";
import { callWorker, runScheduledTick } from "./callWorker";
import { message } from "./commandHelpers";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "./fakes";
import { createScene, type InteractionScene } from "./interactions";

// A long stream under random faults (issue 21): several servers draw every simulated minute while
// the fakes, the bindings and the tick pattern fail at random; then the faults stop, recovery
// ticks run, and the database and the Discord fake's records must show every draw and notice
// delivered exactly once. Seeded: the same seed injects the same faults in the same minutes.

/**
 * What can go wrong in a minute. `discord-403` (the channel closed to the bot for a few minutes,
 * then reopened) and `discord-html-429` (Cloudflare's HTML 1015 page) rely on issue 21's items 9
 * and the HTML 429 of the outbox work; the others on what the Worker already does.
 */
export const faultKinds = [
  "discord-500",
  "discord-429",
  "discord-html-429",
  "discord-403",
  "twitch-5xx",
  "twitch-429",
  "twitch-token-expired",
  "redis-down",
  "postgres-down",
  "beacon-down",
] as const;
export type FaultKind = (typeof faultKinds)[number];

/** How ticks arrive in a minute, as Cron Triggers may deliver them. */
export const tickPatterns = ["once", "replayed", "overlapping", "with-previous"] as const;
export type TickPattern = (typeof tickPatterns)[number];

export interface FaultRunSettings {
  /** Printed, and named by every failure message: the same seed replays the same run. */
  seed: number;
  servers: number;
  /** Simulated minutes of stream with faults (one tick each, more when replayed or overlapping). */
  faultMinutes: number;
  kinds: readonly FaultKind[];
  /** Chance per minute that each kind strikes. */
  faultChance: number;
  /**
   * A beacon-down minute costs 20 s of wall time (the Worker waits that long for drand): at most
   * this many, so the run fits CI's time.
   */
  maximumBeaconDownMinutes: number;
  /**
   * Give one server loot that runs out during the stream, so that its "loot ran out" notice meets
   * the faults too (issue 21 item 10: the notice goes through the outbox).
   */
  lootRunsOut: boolean;
}

/**
 * The Discord fake's rule for Cloudflare's HTML 429 (error 1015): text/html, no `retry_after`.
 * The Discord fake's own HTML mode comes with the outbox work; until then the rule is a 429 whose
 * body carries the page's text and no `retry_after`, which the Worker cannot read a wait from.
 */
export function createHtmlRateLimitRule(channelId: string, times: number): FailureRuleInput {
  return {
    path: `/api/v10/channels/${channelId}/messages*`,
    status: 429,
    times,
    body: "<!DOCTYPE html><html><head><title>Access denied | discord.com used Cloudflare to restrict access</title></head><body><h1>Error 1015</h1><h2>You are being rate limited</h2></body></html>",
  };
}

export interface FaultServer {
  scene: InteractionScene;
  streamer: { id: string; login: string; displayName: string };
  publicId: string;
  raffleId: string;
  /** The prize codes this server imported: none may reach a log or a message. */
  codes: string[];
  lootRunsOut: boolean;
  /** Messages already in the channel before the stream (the link's "Linked as"): not the run's. */
  earlierMessageIds: Set<string>;
}

/** What a run did, for the table and the assertions. */
export interface FaultRunReport {
  seed: number;
  minutes: number;
  ticks: number;
  failedTicks: number;
  patterns: Record<TickPattern, number>;
  injected: Record<FaultKind, number>;
  draws: number;
  unverifiableDraws: number;
  redraws: number;
  deliveries: number;
  notices: number;
  duplicates: number;
  lost: number;
  wallSeconds: number;
  /** Ticks that threw in a minute without Postgres down: each one a problem. */
  unexpectedTickFailures: string[];
}

const minute = 60_000;

/**
 * Servers with a linked channel live with six viewers, a running raffle each (every 1 or 2
 * minutes, claims on some, prize codes on some items), each in a channel of its own.
 */
export async function createFaultServers(
  settings: FaultRunSettings,
  bindings: Partial<WorkerBindings>,
  database: Database,
): Promise<FaultServer[]> {
  const servers: FaultServer[] = [];
  for (let index = 0; index < settings.servers; index += 1) {
    const lootRunsOut = settings.lootRunsOut && index === settings.servers - 1;
    const scene = createScene(index % 3 === 2 ? { locale: "pt-BR" } : {});
    const streamer = await createTwitchUser("faults");
    await linkTwitch(scene, streamer, { bindings });
    await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
    // Ticks come every second of wall time here, not every minute: Discord's per-channel bucket
    // would answer 429s real traffic never meets. Injected 429s stand in for real ones.
    await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
    const loot = lootRunsOut ? "Gem:1x3" : index % 2 === 0 ? "Sword:5, Shield:3, Key:2" : "Potion:4, Cape:1x2";
    expect((await runCommand(scene, "loot", "import", { items: loot }, { bindings })).body.data?.content).toMatch(
      /^(Imported|Lista importada)/,
    );
    const codes = index % 2 === 0 && !lootRunsOut ? [0, 1, 2].map((n) => `FAULT-${streamer.id}-${n}`) : [];
    if (codes.length > 0) {
      const added = await runCommand(scene, "loot", "codes", { name: "Key", codes: codes.join(", ") }, { bindings });
      expect(added.body.data?.content).toBeDefined();
    }
    const viewers = [0, 1, 2, 3, 4, 5].map((n) => ({
      id: `8${streamer.id.slice(-8)}${n}`,
      login: `fv_${streamer.id}_${n}`.slice(0, 25),
      displayName: `FaultViewer${n}`,
    }));
    await twitchControl().upsertUsers(viewers);
    await twitchControl().setChatters(streamer.id, { chatters: viewers });
    await twitchControl().setLive(streamer.id);
    const started = await runCommand(
      scene,
      "raffle",
      "start",
      { every: index % 4 === 3 ? 2 : 1, cooldown: 0, ...(index % 3 === 1 ? { claim: 3 } : {}) },
      { bindings },
    );
    expect(started.body.data?.content).toMatch(/^🎁/);
    const [raffle] = await database.query<{ id: string; public_id: string }>(
      "select id::text, public_id from raffles where guild_id = $1 and status = 'running'",
      [scene.guildId],
    );
    if (!raffle) throw new Error(`server ${index} has no running raffle`);
    const earlier = await discordControl().listMessages(scene.channelId);
    servers.push({
      scene,
      streamer,
      publicId: raffle.public_id,
      raffleId: raffle.id,
      codes,
      lootRunsOut,
      earlierMessageIds: new Set(earlier.map((posted) => posted.id)),
    });
  }
  return servers;
}

interface MinutePlan {
  pattern: TickPattern;
  overrides: Partial<WorkerBindings>;
  kinds: FaultKind[];
}

/** A channel closed to the bot for a few minutes, then reopened (the permission fixed). */
interface ClosedChannel {
  ruleId: string;
  reopensAfterMinute: number;
}

/**
 * Runs the stream: `faultMinutes` minutes with faults, then recovery minutes without any (every
 * minute for five, then every five up to 40: past the announcement back-off's 30-minute cap).
 */
export async function runFaultStream(
  settings: FaultRunSettings,
  servers: FaultServer[],
  bindings: Partial<WorkerBindings>,
  firstMinute: number,
): Promise<
  Omit<FaultRunReport, "draws" | "unverifiableDraws" | "redraws" | "deliveries" | "notices" | "duplicates" | "lost">
> {
  const random = createSeededRandom(settings.seed);
  const pick = <Item>(items: readonly Item[]): Item => items[Math.floor(random() * items.length)] as Item;
  const blackHole = inject("blackHoleAddress");
  const injected = Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const patterns = Object.fromEntries(tickPatterns.map((pattern) => [pattern, 0])) as Record<TickPattern, number>;
  const closedChannels = new Map<string, ClosedChannel>();
  let beaconDownMinutes = 0;
  let ticks = 0;
  let failedTicks = 0;
  const startedAt = Date.now();

  const unexpectedTickFailures: string[] = [];

  const runMinute = async (index: number, plan: MinutePlan) => {
    const scheduledTime = firstMinute + index * minute;
    const tick = async (at: number) => {
      ticks += 1;
      try {
        await runScheduledTick(at, { ...bindings, ...plan.overrides });
      } catch (error) {
        // With Postgres down the tick throws, as the Cron Trigger sees it: the next one retries.
        // Any other fault must not make a tick throw.
        failedTicks += 1;
        if (!plan.kinds.includes("postgres-down"))
          unexpectedTickFailures.push(
            `minute ${index} (${plan.kinds.join(" ") || "no fault"}): ${String(error).slice(0, 200)}`,
          );
      }
    };
    patterns[plan.pattern] += 1;
    if (plan.pattern === "once") await tick(scheduledTime);
    if (plan.pattern === "replayed") {
      await tick(scheduledTime);
      await tick(scheduledTime);
    }
    if (plan.pattern === "overlapping") await Promise.all([tick(scheduledTime), tick(scheduledTime)]);
    // A late tick of the minute before, running beside this minute's.
    if (plan.pattern === "with-previous") await Promise.all([tick(scheduledTime - minute), tick(scheduledTime)]);
  };

  for (let index = 0; index < settings.faultMinutes; index += 1) {
    const plan: MinutePlan = { pattern: "once", overrides: {}, kinds: [] };
    const roll = random();
    plan.pattern = roll < 0.7 ? "once" : roll < 0.8 ? "replayed" : roll < 0.9 ? "overlapping" : "with-previous";
    const transientRules: { control: "discord" | "twitch"; id: string }[] = [];
    for (const kind of settings.kinds) {
      if (random() >= settings.faultChance) continue;
      const server = pick(servers);
      const times = 1 + Math.floor(random() * 3);
      const discordPath = `/api/v10/channels/${server.scene.channelId}/messages*`;
      switch (kind) {
        case "discord-500":
          transientRules.push({
            control: "discord",
            id: (await discordControl().injectFailure({ path: discordPath, status: pick([500, 502, 503]), times })).id,
          });
          break;
        case "discord-429":
          transientRules.push({
            control: "discord",
            id: (
              await discordControl().injectFailure({
                path: discordPath,
                status: 429,
                times,
                retryAfterSeconds: pick([0.5, 5, 90]),
              })
            ).id,
          });
          break;
        case "discord-html-429":
          transientRules.push({
            control: "discord",
            id: (await discordControl().injectFailure(createHtmlRateLimitRule(server.scene.channelId, times))).id,
          });
          break;
        case "discord-403": {
          if (closedChannels.has(server.scene.channelId)) continue;
          const rule = await discordControl().injectFailure({ path: discordPath, status: 403, times: 10_000 });
          closedChannels.set(server.scene.channelId, {
            ruleId: rule.id,
            reopensAfterMinute: index + 2 + Math.floor(random() * 10),
          });
          break;
        }
        case "twitch-5xx":
        case "twitch-429":
          transientRules.push({
            control: "twitch",
            id: (
              await twitchControl().injectFailure({
                path: "/helix/*",
                contains: server.streamer.id,
                status: kind === "twitch-429" ? 429 : pick([500, 502, 503]),
                times,
              })
            ).id,
          });
          break;
        case "twitch-token-expired":
          await twitchControl().expireAccessTokens(server.streamer.id);
          break;
        case "redis-down":
          plan.overrides.UPSTASH_REDIS_REST_URL = "http://127.0.0.1:9";
          break;
        case "postgres-down":
          // Refused at once, or a proxy that accepts and never answers (the driver gives up in 5 s).
          if (random() < 0.5) plan.overrides.DATABASE_URL = "postgres://postgres@127.0.0.1:1/liveloot";
          else plan.overrides.NEON_WS_PROXY = blackHole;
          break;
        case "beacon-down":
          if (beaconDownMinutes >= settings.maximumBeaconDownMinutes) continue;
          beaconDownMinutes += 1;
          plan.overrides.DRAND_API_BASE_URL = `http://${blackHole}`;
          break;
      }
      injected[kind] += 1;
      plan.kinds.push(kind);
    }
    await runMinute(index, plan);
    // A transient fault lasts its minute: rules the Worker did not meet go.
    for (const rule of transientRules) {
      const control = rule.control === "discord" ? discordControl() : twitchControl();
      await control.removeFailure(rule.id).catch(() => {});
    }
    for (const [channelId, closed] of closedChannels) {
      if (closed.reopensAfterMinute > index) continue;
      await discordControl()
        .removeFailure(closed.ruleId)
        .catch(() => {});
      closedChannels.delete(channelId);
    }
  }
  for (const closed of closedChannels.values()) {
    await discordControl()
      .removeFailure(closed.ruleId)
      .catch(() => {});
  }

  // Recovery: nothing fails any more; the outbox catches up within its longest back-off.
  const recoveryOffsets = [0, 1, 2, 3, 4, 10, 15, 20, 25, 30, 35, 40];
  for (const offset of recoveryOffsets) {
    await runMinute(settings.faultMinutes + offset, { pattern: "once", overrides: {}, kinds: [] });
  }
  return {
    seed: settings.seed,
    minutes: settings.faultMinutes + (recoveryOffsets.at(-1) ?? 0) + 1,
    ticks,
    failedTicks,
    patterns,
    injected,
    wallSeconds: Math.round((Date.now() - startedAt) / 1000),
    unexpectedTickFailures,
  };
}

interface DrawRow {
  id: string;
  raffle_id: string;
  slot_at: Date | null;
  kind: string;
  draw_number: number;
  beacon_round: string | null;
  announcement_status: string;
  announcement_message_id: string | null;
}

interface RedrawRow {
  id: string;
  draw_id: string;
  n: number;
  announcement_status: string;
  announcement_message_id: string | null;
}

/** One problem found, in words; the run fails with all of them and its seed. */
export type FaultProblems = string[];

/**
 * Checks a finished run from the outside: the database, the raffle's public record and what
 * the Discord fake holds and was asked. Answers the counts; pushes problems.
 */
export async function checkFaultRun(
  servers: FaultServer[],
  database: Database,
  bindings: Partial<WorkerBindings>,
  problems: FaultProblems,
): Promise<
  Pick<FaultRunReport, "draws" | "unverifiableDraws" | "redraws" | "deliveries" | "notices" | "duplicates" | "lost">
> {
  const drand = inject("drandFake");
  const chain = await (await fetch(`${drand.url}/${drand.chainHash}/info`)).json();
  const schedule = {
    genesisSeconds: (chain as { genesis_time: number }).genesis_time,
    periodSeconds: (chain as { period: number }).period,
  };
  const counts = { draws: 0, unverifiableDraws: 0, redraws: 0, deliveries: 0, notices: 0, duplicates: 0, lost: 0 };
  for (const [index, server] of servers.entries()) {
    const label = `server ${index} (guild ${server.scene.guildId})`;
    const draws = await database.query<DrawRow>(
      `select id::text, raffle_id::text, slot_at, kind, draw_number, beacon_round::text, announcement_status,
         announcement_message_id
       from draws where guild_id = $1 order by id`,
      [server.scene.guildId],
    );
    const redraws = await database.query<RedrawRow>(
      `select c.id::text, c.draw_id::text, c.n, c.announcement_status, c.announcement_message_id
       from claims c join draws d on d.id = c.draw_id where d.guild_id = $1 and c.n > 0 order by c.id`,
      [server.scene.guildId],
    );
    counts.draws += draws.length;
    counts.redraws += redraws.length;
    if (draws.length === 0) problems.push(`${label}: not one draw in the whole stream`);

    // One draw per (raffle, slot), however often a minute was ticked.
    const slots = new Map<string, number>();
    for (const draw of draws) {
      if (draw.kind !== "scheduled" || draw.slot_at === null) continue;
      const key = `${draw.raffle_id} ${draw.slot_at.toISOString()}`;
      slots.set(key, (slots.get(key) ?? 0) + 1);
    }
    for (const [slot, count] of slots) if (count > 1) problems.push(`${label}: ${count} draws for slot ${slot}`);
    // Announced by a tick of its own minute or later, never by a late tick of an earlier one.
    const early = await database.query<{ draw_number: number }>(
      "select draw_number from draws where guild_id = $1 and announced_at < slot_at",
      [server.scene.guildId],
    );
    for (const draw of early) problems.push(`${label}: draw #${draw.draw_number} was announced before its slot`);

    // Stock never below zero; a code never given to two draws; no more coded prizes than codes.
    const stock = await database.query<{ name: string; stock: number }>(
      "select name, stock from loot_items where guild_id = $1 and stock < 0",
      [server.scene.guildId],
    );
    for (const item of stock) problems.push(`${label}: ${item.name} has stock ${item.stock}`);
    const sharedCodes = await database.query<{ draw_id: string; count: string }>(
      `select draw_id::text, count(*)::text from loot_codes where guild_id = $1 and draw_id is not null
       group by draw_id having count(*) > 1`,
      [server.scene.guildId],
    );
    for (const shared of sharedCodes) problems.push(`${label}: draw ${shared.draw_id} holds ${shared.count} codes`);

    // Every recorded draw and redraw announced exactly once, by its nonce.
    const messages = (await discordControl().listMessages(server.scene.channelId)).filter(
      (posted) => !server.earlierMessageIds.has(posted.id),
    );
    const byNonce = new Map<string, DiscordMessage[]>();
    for (const posted of messages) {
      const nonce = posted.nonce === undefined ? "(none)" : String(posted.nonce);
      byNonce.set(nonce, [...(byNonce.get(nonce) ?? []), posted]);
    }
    const expected = new Map<string, { status: string; messageId: string | null }>();
    for (const draw of draws)
      expected.set(`draw-${draw.id}`, { status: draw.announcement_status, messageId: draw.announcement_message_id });
    for (const redraw of redraws)
      expected.set(`redraw-${redraw.id}`, {
        status: redraw.announcement_status,
        messageId: redraw.announcement_message_id,
      });
    for (const [nonce, record] of expected) {
      const posted = byNonce.get(nonce) ?? [];
      if (posted.length === 0 || record.status !== "delivered") {
        counts.lost += 1;
        problems.push(`${label}: ${nonce} is ${record.status} with ${posted.length} message(s)`);
      }
      if (posted.length > 1) {
        counts.duplicates += posted.length - 1;
        problems.push(`${label}: ${nonce} was posted ${posted.length} times`);
      }
      if (posted.length === 1 && record.messageId !== posted[0]?.id)
        problems.push(`${label}: ${nonce} records message ${record.messageId}, Discord holds ${posted[0]?.id}`);
      counts.deliveries += Math.min(posted.length, 1);
    }
    // Notices: every other message; each nonce once, none without one.
    for (const [nonce, posted] of byNonce) {
      if (expected.has(nonce)) continue;
      counts.notices += posted.length;
      if (nonce === "(none)") problems.push(`${label}: ${posted.length} message(s) without a nonce`);
      else if (posted.length > 1) {
        counts.duplicates += posted.length - 1;
        problems.push(`${label}: notice ${nonce} was posted ${posted.length} times`);
      }
    }
    // A nonce Discord remembers for minutes, not hours: a second successful post of the same
    // nonce means the Worker lost its record of the first, and in production would post twice.
    const posts = await discordControl().listCalls({
      method: "POST",
      pathPrefix: `/api/v10/channels/${server.scene.channelId}/messages`,
    });
    const accepted = new Map<string, number>();
    for (const call of posts) {
      if (call.status !== 200 || call.injected) continue;
      const nonce = (call.body as { nonce?: unknown } | null)?.nonce;
      if (typeof nonce === "string") accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
    }
    for (const [nonce, count] of accepted) {
      if (count > 1)
        problems.push(`${label}: ${nonce} was accepted by Discord ${count} times (the nonce hid a re-post)`);
    }

    if (server.lootRunsOut) {
      const outOfItemsTexts = inEitherLocale("raffleOutOfItems");
      const outOfItems = messages.filter((posted) => outOfItemsTexts.includes(posted.content));
      if (outOfItems.length !== 1) problems.push(`${label}: "loot ran out" posted ${outOfItems.length} times`);
    }

    // After recovery every raffle draws again; only the one whose loot ran out has stopped.
    const [raffle] = await database.query<{ status: string; status_reason: string | null }>(
      "select status, status_reason from raffles where id = $1",
      [server.raffleId],
    );
    const expectedStatus = server.lootRunsOut ? "stopped no_items" : "running null";
    if (`${raffle?.status} ${raffle?.status_reason ?? null}` !== expectedStatus)
      problems.push(`${label}: the raffle ends ${raffle?.status} (${raffle?.status_reason}), not ${expectedStatus}`);

    // Every draw recomputes from the public record (every page of it), or is marked not
    // publicly verifiable.
    const published: DrawRecordJson[] = [];
    let page: string | null = `/r/${server.publicId}.json`;
    while (page !== null) {
      const response = await callWorker(new Request(new URL(page, "http://localhost")), bindings);
      if (response.status !== 200) {
        problems.push(`${label}: ${page} answered ${response.status}`);
        break;
      }
      const body: unknown = await response.json();
      published.unshift(...parseRaffleRecord(body).draws);
      const older = (body as { older?: unknown }).older;
      page = typeof older === "string" ? older : null;
    }
    // In the server's language, which the run does not set: either of them.
    const notVerifiable = inEitherLocale("winnerNotVerifiable");
    for (const draw of published) {
      const found = [
        ...(await verifyDrawRecord(draw, server.publicId, schedule)).map((problem) => problem.message),
        ...referenceCheck(server.publicId, draw),
      ];
      if (found.length > 0) problems.push(`${label}: draw #${draw.draw_number}: ${found.join("; ")}`);
      if (draw.round !== null) continue;
      counts.unverifiableDraws += 1;
      const stored = draws.find((row) => row.draw_number === draw.draw_number);
      const posted = stored ? byNonce.get(`draw-${stored.id}`)?.[0] : undefined;
      const description = String(posted?.embeds[0]?.description ?? "(no announcement)");
      if (!notVerifiable.some((text) => description.includes(text)))
        problems.push(
          `${label}: draw #${draw.draw_number} has no round, and its announcement says only: ${description}`,
        );
    }
    if (published.length !== draws.length)
      problems.push(`${label}: the public record lists ${published.length} of ${draws.length} draws`);
  }
  return counts;
}

function inEitherLocale(key: MessageKey): string[] {
  return [message(key, {}, "en-US"), message(key, {}, "pt-BR")];
}

/** The closing note's table. */
export function formatFaultRunTable(report: FaultRunReport): string {
  const rows: [string, string | number][] = [
    ["seed", report.seed],
    ["simulated minutes", report.minutes],
    ["ticks (failed)", `${report.ticks} (${report.failedTicks})`],
    [
      "tick patterns",
      Object.entries(report.patterns)
        .map(([name, count]) => `${name} ${count}`)
        .join(", "),
    ],
    ...faultKinds.map((kind): [string, number] => [`faults: ${kind}`, report.injected[kind]]),
    ["draws (not verifiable)", `${report.draws} (${report.unverifiableDraws})`],
    ["redraws", report.redraws],
    ["announcements delivered", report.deliveries],
    ["notices delivered", report.notices],
    ["duplicates", report.duplicates],
    ["lost", report.lost],
    ["wall time", `${report.wallSeconds} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `| ${name.padEnd(width)} | ${String(value)} |`).join("\n");
}
