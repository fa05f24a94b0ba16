import type { AppContext } from "../context";
import {
  type AdminPage,
  type AdminPageRow,
  deleteStoredSubscription,
  findRaffleByPublicId,
  listDrawsPage,
  listEventSubMessagesPage,
  listLinksPage,
  listLootPage,
  listPointsPage,
  listRafflesPage,
  listStoredSubscriptionsPage,
  readDrawForAdmin,
} from "../db/adminQueries";
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
/** A cursor part the query casts to bigint: 18 digits always fit (its maximum has 19). */
const bigintDigits = /^\d{1,18}$/;
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
  input: AdminInput,
  shape: RegExp[],
  read: (page: AdminPage) => Promise<AdminPageRow[]>,
): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
  const limit = Number(input.query.limit);
  const rows = await read({ cursor: readCursor(input, shape), limit });
  const items = rows.slice(0, limit).map(({ page_key: _key, ...item }) => item);
  const last = rows[limit - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.page_key) : null };
}

/** An optional query filter, already validated by the operation's schema; absent: null. */
function readFilter(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
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

export const adminHandlers: Record<AdminOperationId, Handler> = {
  listLinks: (app, input) => readPage(input, [digits], (page) => listLinksPage(app.database, page)),

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
      return readPage(input, [bigintDigits], (page) => listStoredSubscriptionsPage(app.database, page));
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
    return { id, deleted_stored: await deleteStoredSubscription(app.database, id) };
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
    readPage(input, [bigintDigits], (page) =>
      listRafflesPage(app.database, page, readFilter(input.query.guild), readFilter(input.query.status)),
    ),

  listDraws: async (app, input) => {
    const raffle = await findRaffleByPublicId(app.database, String(input.parameters.public_id));
    if (!raffle) throw new AdminError(404, "not_found", "No raffle has this public id.");
    return readPage(input, [bigintDigits], (page) => listDrawsPage(app.database, page, raffle.id));
  },

  readDraw: async (app, input) => {
    const draw = await readDrawForAdmin(app.database, String(input.parameters.id));
    if (!draw) throw new AdminError(404, "not_found", "No draw has this id.");
    return draw;
  },

  listEvents: (app, input) =>
    readPage(input, [bigintDigits, anyText], (page) => listEventSubMessagesPage(app.database, page)),

  listPoints: (app, input) =>
    readPage(input, [bigintDigits, digits, digits, digits], (page) =>
      listPointsPage(app.database, page, readFilter(input.query.guild)),
    ),

  listLoot: (app, input) =>
    readPage(input, [bigintDigits], (page) => listLootPage(app.database, page, String(input.parameters.guild))),

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
