import * as z from "zod";

/** Raw Twitch wire shapes (snake_case), parsed at the boundary; mapped in TwitchAuthClient/HelixClient. */

// Twitch documents `scope` as an array in one example and a string in another: accept both.
const scopeField = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((value) => (Array.isArray(value) ? value : value ? value.split(" ").filter(Boolean) : []));

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().nonnegative(),
  scope: scopeField,
  token_type: z.string().optional(),
});

export const validateResponseSchema = z.object({
  client_id: z.string(),
  login: z.string().optional(),
  user_id: z.string().optional(),
  scopes: z.array(z.string()).nullable().optional(),
  expires_in: z.number().int(),
});

export const usersResponseSchema = z.object({
  data: z.array(z.object({ id: z.string(), login: z.string(), display_name: z.string() })),
});

export const streamsResponseSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      user_id: z.string(),
      user_login: z.string(),
      user_name: z.string(),
      title: z.string().optional(),
      viewer_count: z.number().optional(),
      started_at: z.string().optional(),
    }),
  ),
});

export const chattersResponseSchema = z.object({
  data: z.array(z.object({ user_id: z.string(), user_login: z.string(), user_name: z.string() })),
  pagination: z.object({ cursor: z.string().optional() }).optional(),
  total: z.number().optional(),
});

export const errorBodySchema = z.object({ status: z.number().optional(), message: z.string().optional() });

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
      transport: z.object({ method: z.string(), callback: z.string().optional() }),
    }),
  ),
});

export const chatMessageResponseSchema = z.object({
  data: z.array(
    z.object({
      message_id: z.string(),
      is_sent: z.boolean(),
      drop_reason: z.object({ code: z.string().optional(), message: z.string().optional() }).nullable().optional(),
    }),
  ),
});
