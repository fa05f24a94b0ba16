import { type FakeRequest, readParam } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import type { Route } from "../shared/Router";
import { authenticateBot } from "./authenticateBot";
import type { DiscordState } from "./DiscordState";
import type { DiscordGuild } from "./discordControlSchemas";
import { createDiscordError, respondMissingAccess } from "./discordErrors";

/** Get Guild with the bot token: 401 without it, 404 Unknown Guild, 403 when the bot is not a member. */
export function createGuildRoutes(state: DiscordState): Route[] {
  return [{ method: "GET", pattern: "/api/v10/guilds/:guildId", handle: (request) => getGuild(state, request) }];
}

function getGuild(state: DiscordState, request: FakeRequest): FakeResponse {
  authenticateBot(state, request);
  const guild = state.guilds.get(readParam(request, "guildId"));
  if (guild === undefined) return createDiscordError(404, "Unknown Guild", 10004);
  if (!guild.botMember) return respondMissingAccess();
  return createJsonResponse(200, toGuildObject(guild));
}

/** The guild object of `GET /guilds/{guild.id}`, with Discord's defaults for what the fake does not model. */
export function toGuildObject(guild: DiscordGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    description: null,
    home_header: null,
    splash: null,
    discovery_splash: null,
    features: [],
    banner: null,
    owner_id: guild.ownerId,
    application_id: null,
    region: "deprecated",
    afk_channel_id: null,
    afk_timeout: 300,
    system_channel_id: null,
    system_channel_flags: 0,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    roles: [
      {
        id: guild.id,
        name: "@everyone",
        description: null,
        permissions: "2248473465835073",
        position: 0,
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        managed: false,
        mentionable: false,
        icon: null,
        unicode_emoji: null,
        flags: 0,
      },
    ],
    default_message_notifications: 0,
    mfa_level: 0,
    explicit_content_filter: 0,
    max_presences: null,
    max_members: 500000,
    max_stage_video_channel_users: 50,
    max_video_channel_users: 25,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    rules_channel_id: null,
    safety_alerts_channel_id: null,
    public_updates_channel_id: null,
    hub_type: null,
    premium_progress_bar_enabled: false,
    nsfw: false,
    nsfw_level: 0,
    emojis: [],
    stickers: [],
  };
}
