import type { Locale } from "../../i18n/translate";

/** A range of whole numbers, or of a text's length, that an option accepts. */
export interface Limit {
  minimum: number;
  maximum: number;
  /** What an omitted option means, where it has a default. */
  default?: number;
}

/**
 * Every range a slash command option accepts, in one place. The registered JSON
 * (min_value/max_value, min_length/max_length), the zod schema that parses an interaction, and the
 * numbers that option descriptions and error messages state are all generated from these. Where
 * Postgres enforces the same range, the comment names the check: keep the two equal.
 */
export const optionLimits = {
  /** `loot_items.name`: `check (char_length(name) between 1 and 100 …)` (0001_init.sql), insert_items.sql. */
  itemName: { minimum: 1, maximum: 100 },
  /** `loot_items.weight`: `check (weight between 1 and 1000000)` (0001_init.sql), insert_items.sql. */
  itemWeight: { minimum: 1, maximum: 1_000_000 },
  /**
   * `loot_items.stock`: an `integer` with `check (stock >= 0)` (0001_init.sql). Zero means sold
   * out, so an item is given at least 1; omitted means unlimited.
   */
  itemStock: { minimum: 1, maximum: 2_147_483_647 },
  /** The text of `/loot import`; parseLootList caps how many items it may hold. */
  importText: { minimum: 1, maximum: 6000 },
  /** The text of `/loot codes` (Discord's longest string option); raffle/lootCodes.ts caps the codes in it. */
  codesText: { minimum: 1, maximum: 6000 },
  /** `raffles.every_minutes`: `check (every_minutes between 1 and 60)`, default 1 (0001_init.sql). */
  everyMinutes: { minimum: 1, maximum: 60, default: 1 },
  /** `raffles.cooldown_minutes`: `check (cooldown_minutes between 0 and 1440)`, default 30 (0001_init.sql). */
  cooldownMinutes: { minimum: 0, maximum: 1440, default: 30 },
  /**
   * `raffles.rules`: `check (char_length(rules) between 1 and 1000)` (0012_provable_fairness.sql).
   * Trimmed first; nothing left means no rules.
   */
  raffleRules: { minimum: 1, maximum: 1000 },
  /** `raffles.claim_minutes`: `check (claim_minutes between 1 and 1440)` (0013_claims_and_codes.sql); omitted: only items with codes need a claim. */
  claimMinutes: { minimum: 1, maximum: 1440 },
  /** `raffles.min_follow_minutes`: `check (… between 0 and 525600)` (0014_raffle_gates.sql): up to a year. */
  minFollowMinutes: { minimum: 0, maximum: 525_600, default: 0 },
  /** `raffles.min_account_days`: `check (… between 0 and 3650)` (0014_raffle_gates.sql): up to ten years. */
  minAccountDays: { minimum: 0, maximum: 3650, default: 0 },
  /** `raffles.active_minutes`: `check (… between 0 and 60)` (0014_raffle_gates.sql), the last-chat facts' TTL. */
  activeMinutes: { minimum: 0, maximum: 60, default: 0 },
  historyPage: { minimum: 1, maximum: 10_000, default: 1 },
  /** The `twitch_login_text` domain: `^[a-z0-9_]{1,25}$` (0001_init.sql). */
  twitchLogin: { minimum: 1, maximum: 25 },
  /** `guilds.*_points`: `check (… >= 0)` (0003_eventsub_points_luck.sql); the maximum is the command's. */
  pointValue: { minimum: 0, maximum: 10_000 },
} as const satisfies Record<string, Limit>;

/** A Discord snowflake, as the `discord_id_text` domain stores it (0001_init.sql). */
export const discordIdPattern = /^\d{1,20}$/;

/** A Twitch login once lower-cased, as the `twitch_login_text` domain stores it. */
export const twitchLoginPattern = new RegExp(
  `^[a-z0-9_]{${optionLimits.twitchLogin.minimum},${optionLimits.twitchLogin.maximum}}$`,
);

/**
 * A limit's numbers as a description or an error message states them in the user's language:
 * `{minimum}`, `{maximum}` and `{default}`. Four-digit numbers stay ungrouped ("1440", "10,000").
 */
export function describeLimit(limit: Limit, locale: Locale): Record<string, string> {
  const format = new Intl.NumberFormat(locale, { useGrouping: "min2" });
  return {
    minimum: format.format(limit.minimum),
    maximum: format.format(limit.maximum),
    ...(limit.default === undefined ? {} : { default: format.format(limit.default) }),
  };
}
