/** A Twitch answer that was not a success. `url` carries no token (tokens travel in headers/bodies). */
export class TwitchApiError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`Twitch answered ${status} for ${url}: ${body.slice(0, 200)}`);
    this.name = "TwitchApiError";
  }
}

/** Twitch refused the refresh token: the streamer has to link again. */
export class RefreshTokenRejectedError extends TwitchApiError {
  constructor(url: string, body: string) {
    super(400, url, body);
    this.name = "RefreshTokenRejectedError";
  }
}

/** Helix's bucket is empty and will not refill soon enough to wait for. */
export class TwitchRateLimitedError extends TwitchApiError {
  constructor(
    url: string,
    body: string,
    readonly resetAt: number | undefined,
  ) {
    super(429, url, body);
    this.name = "TwitchRateLimitedError";
  }
}
