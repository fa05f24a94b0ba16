import * as z from "zod";

/** Option schemas for /raffle; each error message is an i18n key naming the problem. */
export const startRaffleOptions = z.object({
  channel: z
    .string({ error: "raffleChannelInvalid" })
    .regex(/^\d{1,20}$/, { error: "raffleChannelInvalid" })
    .optional(),
  every: z
    .number({ error: "raffleEveryInvalid" })
    .int({ error: "raffleEveryInvalid" })
    .min(1, { error: "raffleEveryInvalid" })
    .max(60, { error: "raffleEveryInvalid" })
    .default(1),
  cooldown: z
    .number({ error: "raffleCooldownInvalid" })
    .int({ error: "raffleCooldownInvalid" })
    .min(0, { error: "raffleCooldownInvalid" })
    .max(1440, { error: "raffleCooldownInvalid" })
    .default(30),
  luck: z.boolean({ error: "invalidOptions" }).default(false),
  announce_in_twitch: z.boolean({ error: "invalidOptions" }).default(false),
});

export const historyOptions = z.object({
  page: z
    .number({ error: "rafflePageInvalid" })
    .int({ error: "rafflePageInvalid" })
    .min(1, { error: "rafflePageInvalid" })
    .max(10_000, { error: "rafflePageInvalid" })
    .default(1),
});

/** Twitch logins are 1–25 letters, digits or underscores; stored lower-case. */
export const viewerOptions = z.object({
  user: z
    .string({ error: "raffleUserInvalid" })
    .trim()
    .transform((value) => value.replace(/^@/, "").toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9_]{1,25}$/, { error: "raffleUserInvalid" })),
});

const pointValue = z
  .number({ error: "rafflePointsInvalid" })
  .int({ error: "rafflePointsInvalid" })
  .min(0, { error: "rafflePointsInvalid" })
  .max(10_000, { error: "rafflePointsInvalid" })
  .optional();

/** /raffle points: each given value replaces the guild's; none given shows them. */
export const pointsOptions = z.object({
  follow: pointValue,
  subscribe: pointValue,
  gift: pointValue,
  cheer: pointValue,
  raid: pointValue,
});
