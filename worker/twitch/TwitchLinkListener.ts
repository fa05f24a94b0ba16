import type { AppContext } from "../context";
import type { OAuthStateRecord } from "../db/oauthStates";
import type { Locale } from "../i18n/translate";

/** A link request that ended with an account linked. */
export interface LinkedAccount {
  /** The /twitch connect request: who asked, where, and its interaction token to edit the reply. */
  request: OAuthStateRecord;
  /** The language of the browser that completed the link (the person who asked). */
  locale: Locale;
  twitchUserId: string;
  twitchLogin: string;
  displayName: string;
}

/**
 * What the rest of the app does when a link request ends. Twitch code reports; the domain
 * decides (it tells Discord, resumes the raffle): raffle/twitchLinkReactions.ts.
 */
export interface TwitchLinkListener {
  /** The streamer cancelled on Twitch's consent page. */
  cancelled(app: AppContext, request: OAuthStateRecord, locale: Locale): Promise<void>;
  /** The account is stored, active, and its tokens sealed. */
  linked(app: AppContext, account: LinkedAccount): Promise<void>;
  /** The Discord server's name, for the success page (Twitch code does not ask Discord itself). */
  readServerName(app: AppContext, guildId: string): Promise<string>;
}
