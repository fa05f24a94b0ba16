import type { FakeResponse } from "./FakeResponse";

/** Thrown by a handler to answer early (auth failure, bad input); the server turns it into its response. */
export class FakeHttpError extends Error {
  readonly response: FakeResponse;

  constructor(response: FakeResponse) {
    super(`fake answers ${response.status}: ${response.body.slice(0, 200)}`);
    this.name = "FakeHttpError";
    this.response = response;
  }
}
