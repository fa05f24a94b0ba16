import { randomBytes } from "node:crypto";
import type { TwitchTokenLifetimeInput } from "./twitchControlSchemas";

/** Twitch's own example lifetime of a user access token (about four hours). */
const defaultUserTokenLifetimeSeconds = 14_124;
/** App access tokens last about two months. */
const defaultAppTokenLifetimeSeconds = 5_011_271;
const authorizationCodeLifetimeMilliseconds = 10 * 60 * 1000;

export interface AccessToken {
  token: string;
  clientId: string;
  /** Undefined for app access tokens. */
  userId: string | undefined;
  scopes: string[];
  issuedAtMilliseconds: number;
  expiresAtMilliseconds: number;
  revoked: boolean;
  /** The refresh token issued with it, whose grant it shares. */
  refreshToken: string | undefined;
  validationCount: number;
  lastValidatedAtMilliseconds: number | undefined;
}

export interface RefreshToken {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  issuedAtMilliseconds: number;
  revoked: boolean;
  /** Used once for a refresh: Twitch rotates refresh tokens, so it is dead now. */
  used: boolean;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  expiresAtMilliseconds: number;
}

export interface IssuedTokens {
  accessToken: AccessToken;
  refreshToken: RefreshToken | undefined;
}

/** Access tokens, refresh tokens and authorization codes, with Twitch's lifecycles. */
export class TwitchTokenStore {
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly authorizationCodes = new Map<string, AuthorizationCode>();
  private lifetimeRules: TwitchTokenLifetimeInput[] = [];

  setLifetime(rule: TwitchTokenLifetimeInput): void {
    this.lifetimeRules = this.lifetimeRules.filter(
      (existing) => existing.clientId !== rule.clientId || existing.userId !== rule.userId,
    );
    this.lifetimeRules.push(rule);
  }

  createAuthorizationCode(clientId: string, userId: string, redirectUri: string, scopes: string[]): AuthorizationCode {
    const code: AuthorizationCode = {
      code: createRandomToken(30),
      clientId,
      userId,
      redirectUri,
      scopes,
      expiresAtMilliseconds: Date.now() + authorizationCodeLifetimeMilliseconds,
    };
    this.authorizationCodes.set(code.code, code);
    return code;
  }

  /** Returns the code's grant and deletes it: codes are single-use. */
  takeAuthorizationCode(code: string, clientId: string): AuthorizationCode | undefined {
    const found = this.authorizationCodes.get(code);
    if (found === undefined || found.clientId !== clientId || found.expiresAtMilliseconds <= Date.now())
      return undefined;
    this.authorizationCodes.delete(code);
    return found;
  }

  issueUserTokens(clientId: string, userId: string, scopes: string[]): IssuedTokens {
    const now = Date.now();
    const refreshToken: RefreshToken = {
      token: createRandomToken(50),
      clientId,
      userId,
      scopes,
      issuedAtMilliseconds: now,
      revoked: false,
      used: false,
    };
    this.refreshTokens.set(refreshToken.token, refreshToken);
    const accessToken = this.createAccessToken(clientId, userId, scopes, refreshToken.token);
    return { accessToken, refreshToken };
  }

  issueAppToken(clientId: string): AccessToken {
    return this.createAccessToken(clientId, undefined, [], undefined);
  }

  /** Rotates: a new access + refresh token; the old refresh token can never be used again. */
  rotateRefreshToken(clientId: string, token: string): IssuedTokens | undefined {
    const found = this.refreshTokens.get(token);
    if (found === undefined || found.clientId !== clientId || found.revoked || found.used) return undefined;
    found.used = true;
    return this.issueUserTokens(clientId, found.userId, found.scopes);
  }

  /** A token that is known, not revoked and not expired. */
  findLiveAccessToken(token: string): AccessToken | undefined {
    const found = this.accessTokens.get(token);
    if (found === undefined || found.revoked || found.expiresAtMilliseconds <= Date.now()) return undefined;
    return found;
  }

  /**
   * Revokes an access token (and the refresh token of its grant, so a disconnected app cannot
   * quietly refresh) or a refresh token. False when the token is unknown to that client.
   */
  revokeToken(clientId: string, token: string): boolean {
    const accessToken = this.accessTokens.get(token);
    if (accessToken !== undefined && accessToken.clientId === clientId) {
      accessToken.revoked = true;
      const refreshToken =
        accessToken.refreshToken === undefined ? undefined : this.refreshTokens.get(accessToken.refreshToken);
      if (refreshToken !== undefined) refreshToken.revoked = true;
      return true;
    }
    const refreshToken = this.refreshTokens.get(token);
    if (refreshToken !== undefined && refreshToken.clientId === clientId) {
      refreshToken.revoked = true;
      return true;
    }
    return false;
  }

  expireAccessTokensOfUser(userId: string): number {
    let count = 0;
    for (const accessToken of this.accessTokens.values()) {
      if (accessToken.userId === userId && accessToken.expiresAtMilliseconds > Date.now()) {
        accessToken.expiresAtMilliseconds = Date.now() - 1;
        count += 1;
      }
    }
    return count;
  }

  revokeRefreshTokensOfUser(userId: string): number {
    let count = 0;
    for (const refreshToken of this.refreshTokens.values()) {
      if (refreshToken.userId === userId && !refreshToken.revoked) {
        refreshToken.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  listAccessTokensOfUser(userId: string): AccessToken[] {
    return [...this.accessTokens.values()].filter((accessToken) => accessToken.userId === userId);
  }

  listRefreshTokensOfUser(userId: string): RefreshToken[] {
    return [...this.refreshTokens.values()].filter((refreshToken) => refreshToken.userId === userId);
  }

  /** Whether the user has a live grant (unrevoked refresh token) to the client that includes the scope. */
  hasGrantedScope(clientId: string, userId: string, scope: string | undefined): boolean {
    for (const refreshToken of this.refreshTokens.values()) {
      if (refreshToken.clientId !== clientId || refreshToken.userId !== userId || refreshToken.revoked) continue;
      if (scope === undefined || refreshToken.scopes.includes(scope)) return true;
    }
    return false;
  }

  clear(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.authorizationCodes.clear();
    this.lifetimeRules = [];
  }

  private createAccessToken(
    clientId: string,
    userId: string | undefined,
    scopes: string[],
    refreshToken: string | undefined,
  ): AccessToken {
    const now = Date.now();
    const accessToken: AccessToken = {
      token: createRandomToken(30),
      clientId,
      userId,
      scopes,
      issuedAtMilliseconds: now,
      expiresAtMilliseconds: now + this.findLifetimeSeconds(clientId, userId) * 1000,
      revoked: false,
      refreshToken,
      validationCount: 0,
      lastValidatedAtMilliseconds: undefined,
    };
    this.accessTokens.set(accessToken.token, accessToken);
    return accessToken;
  }

  private findLifetimeSeconds(clientId: string, userId: string | undefined): number {
    const forUser = this.lifetimeRules.find(
      (rule) =>
        userId !== undefined && rule.userId === userId && (rule.clientId === undefined || rule.clientId === clientId),
    );
    if (forUser !== undefined) return forUser.seconds;
    const forClient = this.lifetimeRules.find((rule) => rule.userId === undefined && rule.clientId === clientId);
    if (forClient !== undefined) return forClient.seconds;
    return userId === undefined ? defaultAppTokenLifetimeSeconds : defaultUserTokenLifetimeSeconds;
  }
}

/** Seconds left before expiry as Twitch reports them: never negative. */
export function readExpiresInSeconds(accessToken: AccessToken): number {
  return Math.max(0, Math.floor((accessToken.expiresAtMilliseconds - Date.now()) / 1000));
}

/** Lower-case letters and digits, like Twitch's tokens. */
function createRandomToken(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join("");
}
