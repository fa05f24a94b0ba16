import type { AppContext } from "../context";
import { saveSubscription } from "../db/eventSubSubscriptions";
import { countSealedWith } from "../db/sealedSecrets";
import { findTwitchLink, type TwitchLink } from "../db/twitchLinks";
import { unlinkTwitch } from "../raffle/unlinkTwitch";
import { getTokenCipher } from "../security/keys";
import { getAppAccessToken } from "../twitch/appAccessToken";
import { listDesiredSubscriptions, syncSubscriptions } from "../twitch/eventSubSubscriptions";
import { HelixClient } from "../twitch/HelixClient";
import { TwitchApiError } from "../twitch/TwitchApiError";
import { refreshLink, TwitchNeedsReauthError, TwitchNotLinkedError } from "../twitch/userTokens";
import { AdminError } from "./AdminError";
import type { AdminOperationId } from "./adminApi";
import type { AdminInput } from "./handleAdmin";

type Handler = (app: AppContext, input: AdminInput) => Promise<unknown>;

// Keyset pages: each query selects `page_key` (text[]), the row's position in its order; the
// cursor is that key of a page's last row, base64url JSON, and the next query starts after it.
const digits = /^\d{1,20}$/;
const anyText = /^[\s\S]{1,100}$/;

function readCursor(input: AdminInput, shape: RegExp[]): string[] | null {
  const cursor = input.query.cursor;
  if (typeof cursor !== "string" || cursor === "") return null;
  try {
    const key: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (
      Array.isArray(key) &&
      key.length === shape.length &&
      key.every((part, index) => typeof part === "string" && shape[index]?.test(part))
    )
      return key;
  } catch {
    // Falls through to the one answer for any cursor this API did not make.
  }
  throw new AdminError(400, "invalid_request", "The request is not valid.", [
    { path: "query.cursor", message: "must be a next_cursor this endpoint returned" },
  ]);
}

function encodeCursor(key: string[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

async function readPage(
  app: AppContext,
  input: AdminInput,
  shape: RegExp[],
  text: string,
  values: unknown[] = [],
): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
  const limit = Number(input.query.limit);
  const rows = await app.database.query<Record<string, unknown> & { page_key: string[] }>(text, [
    readCursor(input, shape),
    limit + 1,
    ...values,
  ]);
  const items = rows.slice(0, limit).map(({ page_key: _key, ...item }) => item);
  const last = rows[limit - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.page_key) : null };
}

async function requireLink(app: AppContext, guildId: string): Promise<TwitchLink> {
  const link = await findTwitchLink(app.database, guildId);
  if (!link) throw new AdminError(404, "not_linked", "No Twitch account is linked to this server.");
  return link;
}

/** A Twitch failure as the operator's answer: what Twitch said, never a token (none is in url or body). */
function reportTwitchFailure(error: unknown): never {
  if (error instanceof TwitchNeedsReauthError)
    throw new AdminError(409, "needs_reauth", "The link needs the streamer to run /twitch connect again.");
  if (error instanceof TwitchNotLinkedError)
    throw new AdminError(404, "not_linked", "No Twitch account is linked to this server.");
  if (error instanceof TwitchApiError)
    throw new AdminError(502, "twitch_error", `Twitch answered ${error.status}: ${error.body.slice(0, 200)}`);
  throw error;
}

const epochMicroseconds = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint`;

export const adminHandlers: Record<AdminOperationId, Handler> = {
  listLinks: (app, input) =>
    readPage(
      app,
      input,
      [digits],
      `select guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes, status,
         status = 'needs_reauth' as needs_reauth, access_token_expires_at, last_validated_at, reauth_notified_at,
         linked_by_discord_user_id, created_at, updated_at, array[guild_id::text] as page_key
       from twitch_links where $1::text[] is null or guild_id > $1[1]
       order by guild_id limit $2`,
    ),

  refreshLink: async (app, input) => {
    const link = await requireLink(app, String(input.parameters.guild));
    if (link.status === "needs_reauth") reportTwitchFailure(new TwitchNeedsReauthError(link.guildId));
    const refreshed = await refreshLink(app, link).catch(reportTwitchFailure);
    return {
      guild_id: refreshed.guildId,
      status: refreshed.status,
      scopes: refreshed.scopes,
      access_token_expires_at: new Date(refreshed.accessTokenExpiresAt).toISOString(),
    };
  },

  deleteLink: async (app, input) => {
    const result = await unlinkTwitch(app, String(input.parameters.guild));
    if (result.kind === "notLinked")
      throw new AdminError(404, "not_linked", "No Twitch account is linked to this server.");
    return {
      guild_id: input.parameters.guild,
      twitch_login: result.twitchLogin,
      tokens_revoked: result.tokensRevoked,
      raffle_stopped: result.raffleStopped,
    };
  },

  listSubscriptions: async (app, input) => {
    if (input.query.source === "stored") {
      return readPage(
        app,
        input,
        [digits],
        `select s.id::text, s.twitch_subscription_id, s.broadcaster_id, s.type, s.version, s.condition, s.status,
           s.status_changed_at, s.created_at,
           array(select g.guild_id::text from twitch_eventsub_subscription_guilds g
                 where g.subscription_id = s.id order by g.guild_id) as guild_ids,
           array[s.id::text] as page_key
         from twitch_eventsub_subscriptions s where $1::text[] is null or s.id > $1[1]::bigint
         order by s.id limit $2`,
      );
    }
    // Twitch pages Get EventSub Subscriptions itself (up to 100 per page, its own cursor).
    const cursor = typeof input.query.cursor === "string" && input.query.cursor !== "" ? input.query.cursor : undefined;
    const helix = new HelixClient(app.config, await getAppAccessToken(app));
    const page = await helix.listAllEventSubSubscriptions(cursor).catch((error: unknown) =>
      // Twitch unreachable (fetch's TypeError) is reported like Twitch's own 503.
      reportTwitchFailure(
        error instanceof TypeError
          ? new TwitchApiError(503, `${app.config.twitchApiBaseUrl}/eventsub/subscriptions`, "unreachable")
          : error,
      ),
    );
    return {
      items: page.subscriptions.map((entry) => ({
        id: entry.id,
        status: entry.status,
        type: entry.type,
        version: entry.version,
        condition: entry.condition,
        callback: entry.callback || null,
        created_at: entry.createdAt ?? null,
      })),
      next_cursor: page.cursor ?? null,
    };
  },

  createSubscription: async (app, input) => {
    const guildId = String(input.body.guild_id);
    const link = await requireLink(app, guildId);
    const wanted = listDesiredSubscriptions(link.twitchUserId, link.scopes, true).find(
      (entry) => entry.type === input.body.type,
    );
    if (!wanted)
      throw new AdminError(409, "scope_missing", "The link was not granted the scope this subscription type needs.");
    try {
      const helix = new HelixClient(app.config, await getAppAccessToken(app));
      const created = await helix.createEventSubSubscription({
        ...wanted,
        callback: `${app.config.publicBaseUrl}/twitch/eventsub`,
        secret: app.config.twitchEventSubSecret,
      });
      await saveSubscription(
        app.database,
        { twitchSubscriptionId: created.id, broadcasterId: link.twitchUserId, ...wanted, status: created.status },
        guildId,
      );
      return { twitch_subscription_id: created.id, type: wanted.type, version: wanted.version, status: created.status };
    } catch (error) {
      if (error instanceof TwitchApiError && error.status === 409)
        throw new AdminError(409, "exists", "Twitch already has this subscription; repair the server to adopt it.");
      return reportTwitchFailure(error);
    }
  },

  deleteSubscription: async (app, input) => {
    const id = String(input.parameters.id);
    try {
      await new HelixClient(app.config, await getAppAccessToken(app)).deleteEventSubSubscription(id);
    } catch (error) {
      reportTwitchFailure(error);
    }
    const rows = await app.database.query(
      "delete from twitch_eventsub_subscriptions where twitch_subscription_id = $1 returning id",
      [id],
    );
    return { id, deleted_stored: rows.length > 0 };
  },

  repairSubscriptions: async (app, input) => {
    const link = await requireLink(app, String(input.parameters.guild));
    const result = await syncSubscriptions(app, {
      guildId: link.guildId,
      twitchUserId: link.twitchUserId,
      scopes: link.scopes,
    }).catch(reportTwitchFailure);
    return { guild_id: link.guildId, ...result };
  },

  listRaffles: (app, input) =>
    readPage(
      app,
      input,
      [digits],
      `select id::text, public_id, guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
         status, status_reason, every_minutes, cooldown_minutes, luck, announce_in_twitch, started_at, stopped_at,
         next_slot_at, draw_count, array[id::text] as page_key
       from raffles
       where ($1::text[] is null or id < $1[1]::bigint) and ($3::text is null or guild_id = $3)
         and ($4::text is null or status = $4)
       order by id desc limit $2`,
      [input.query.guild ?? null, input.query.status ?? null],
    ),

  listDraws: async (app, input) => {
    const [raffle] = await app.database.query<{ id: string }>("select id::text from raffles where public_id = $1", [
      input.parameters.public_id,
    ]);
    if (!raffle) throw new AdminError(404, "not_found", "No raffle has this public id.");
    return readPage(
      app,
      input,
      [digits],
      `select id::text, draw_number, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
         winner_twitch_display_name, candidate_count, algorithm, beacon_round::text, announcement_status, created_at,
         array[id::text] as page_key
       from draws where raffle_id = $3 and ($1::text[] is null or id < $1[1]::bigint)
       order by id desc limit $2`,
      [raffle.id],
    );
  },

  readDraw: async (app, input) => {
    const [draw] = await app.database.query(
      `select d.id::text, d.raffle_id::text, r.public_id as raffle_public_id, d.guild_id, d.draw_number, d.kind,
         d.slot_at, d.item_id::text, d.item_name, d.winner_twitch_user_id, d.winner_twitch_login,
         d.winner_twitch_display_name, d.candidate_count, d.luck, d.created_at,
         d.algorithm, d.slot_label, d.beacon_round::text, d.beacon_signature, d.randomness, d.entrants_read_at,
         d.entrants, d.entrants_sha256, d.items, d.items_sha256, d.winner_roll::text, d.item_roll::text,
         d.announcement_status, d.announcement_attempts, d.announcement_next_attempt_at, d.announcement_message_id,
         d.announcement_last_error, d.announced_at, d.twitch_announcement_status, d.twitch_announcement_attempts,
         d.twitch_message_id, d.twitch_announcement_error
       from draws d join raffles r on r.id = d.raffle_id where d.id = $1`,
      [input.parameters.id],
    );
    if (!draw) throw new AdminError(404, "not_found", "No draw has this id.");
    return draw;
  },

  listEvents: (app, input) =>
    readPage(
      app,
      input,
      [digits, anyText],
      `select message_id, message_type, subscription_type, received_at,
         array[${epochMicroseconds("received_at")}::text, message_id] as page_key
       from twitch_eventsub_messages
       where $1::text[] is null or (${epochMicroseconds("received_at")}, message_id) < ($1[1]::bigint, $1[2])
       order by ${epochMicroseconds("received_at")} desc, message_id desc limit $2`,
    ),

  listPoints: (app, input) =>
    readPage(
      app,
      input,
      [digits, digits, digits, digits],
      `select guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points, updated_at,
         array[${epochMicroseconds("updated_at")}::text, guild_id::text, broadcaster_id::text, viewer_user_id::text]
           as page_key
       from viewer_points
       where ($1::text[] is null
              or (${epochMicroseconds("updated_at")}, guild_id::text, broadcaster_id::text, viewer_user_id::text)
                 < ($1[1]::bigint, $1[2], $1[3], $1[4]))
         and ($3::text is null or guild_id = $3)
       order by ${epochMicroseconds("updated_at")} desc, guild_id::text desc, broadcaster_id::text desc,
         viewer_user_id::text desc
       limit $2`,
      [input.query.guild ?? null],
    ),

  listLoot: (app, input) =>
    readPage(
      app,
      input,
      [digits],
      `select id::text, name, weight, stock, enabled, created_at, updated_at, array[id::text] as page_key
       from loot_items where guild_id = $3 and ($1::text[] is null or id > $1[1]::bigint)
       order by id limit $2`,
      [input.parameters.guild],
    ),

  // Key ids are short hashes of the keys (security/TokenCipher.ts), safe to show; the keys never are.
  readKeys: async (app) => {
    const cipher = await getTokenCipher(app.config);
    const previous = cipher.previousKeyId ?? null;
    return {
      current: cipher.keyId,
      previous,
      sealed_with_previous: previous
        ? await countSealedWith(app.database, previous, app.now())
        : { tokens: 0, codes: 0 },
    };
  },
};
