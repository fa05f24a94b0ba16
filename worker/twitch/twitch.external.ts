import * as z from "zod/mini";

/** Raw Twitch wire shapes (snake_case), parsed at the boundary; mapped in TwitchAuthClient/HelixClient. */

// Twitch documents `scope` as an array in one example and a string in another: accept both.
const scopeField = z.pipe(
  z.optional(z.union([z.array(z.string()), z.string()])),
  z.transform((value: string[] | string | undefined) =>
    Array.isArray(value) ? value : value ? value.split(" ").filter(Boolean) : [],
  ),
);

export const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  expires_in: z.number().check(z.int(), z.gte(0)),
  scope: scopeField,
  token_type: z.optional(z.string()),
});

export const validateResponseSchema = z.object({
  client_id: z.string(),
  login: z.optional(z.string()),
  user_id: z.optional(z.string()),
  scopes: z.optional(z.nullable(z.array(z.string()))),
  expires_in: z.number().check(z.int()),
});

export const usersResponseSchema = z.object({
  data: z.array(
    z.object({ id: z.string(), login: z.string(), display_name: z.string(), created_at: z.optional(z.string()) }),
  ),
});

/** Get Channel Followers (https://dev.twitch.tv/docs/api/reference/#get-channel-followers): with `user_id`, zero or one row. */
export const channelFollowersResponseSchema = z.object({
  data: z.array(z.object({ user_id: z.string(), followed_at: z.string() })),
  total: z.optional(z.number()),
  pagination: z.optional(z.object({ cursor: z.optional(z.string()) })),
});

/** Get Broadcaster Subscriptions (https://dev.twitch.tv/docs/api/reference/#get-broadcaster-subscriptions): a row per subscribed `user_id`. */
export const subscriptionsResponseSchema = z.object({
  data: z.array(z.object({ user_id: z.string() })),
});

export const streamsResponseSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      user_id: z.string(),
      user_login: z.string(),
      user_name: z.string(),
      title: z.optional(z.string()),
      viewer_count: z.optional(z.number()),
      started_at: z.optional(z.string()),
    }),
  ),
});

export const chattersResponseSchema = z.object({
  data: z.array(z.object({ user_id: z.string(), user_login: z.string(), user_name: z.string() })),
  pagination: z.optional(z.object({ cursor: z.optional(z.string()) })),
  total: z.optional(z.number()),
});

export const eventSubCreatedSchema = z.object({
  data: z.array(z.object({ id: z.string(), status: z.string(), type: z.string() })),
});

export const eventSubListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      type: z.string(),
      version: z.string(),
      condition: z.record(z.string(), z.string()),
      created_at: z.optional(z.string()),
      transport: z.object({ method: z.string(), callback: z.optional(z.string()) }),
    }),
  ),
  pagination: z.optional(z.object({ cursor: z.optional(z.string()) })),
});

export const chatMessageResponseSchema = z.object({
  data: z.array(
    z.object({
      message_id: z.string(),
      is_sent: z.boolean(),
      drop_reason: z.optional(z.nullable(z.object({ code: z.optional(z.string()), message: z.optional(z.string()) }))),
    }),
  ),
});
