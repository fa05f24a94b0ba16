import { FakeHttpError } from "../shared/FakeHttpError";
import { type FakeRequest, readHeader } from "../shared/FakeRequest";
import type { DiscordState } from "./DiscordState";
import type { DiscordApplication } from "./discordControlSchemas";
import { respondUnauthorized } from "./discordErrors";

/** `Authorization: Bot <token>` of a known application, else Discord's 401. */
export function authenticateBot(state: DiscordState, request: FakeRequest): DiscordApplication {
  const match = /^Bot (.+)$/.exec(readHeader(request, "authorization") ?? "");
  const application = match?.[1] === undefined ? undefined : state.findApplicationByToken(match[1]);
  if (application === undefined) throw new FakeHttpError(respondUnauthorized());
  return application;
}
