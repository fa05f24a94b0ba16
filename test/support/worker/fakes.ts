import { inject } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import { DiscordControl } from "../../fakes/discordControl";
import { TwitchControl } from "../../fakes/twitchControl";
import { testCredentials } from "../testBindings";
import { callWorker } from "./callWorker";
import { buildCommand, createSnowflake, type InteractionScene } from "./interactions";
import { createSignedInteractionRequest } from "./signInteraction";

export function twitchControl(): TwitchControl {
  return new TwitchControl(inject("twitchFakeUrl"));
}

export function discordControl(): DiscordControl {
  return new DiscordControl(inject("discordFakeUrl"));
}

/** A fresh Twitch user with a numeric id and a unique login. */
export async function createTwitchUser(
  prefix = "streamer",
): Promise<{ id: string; login: string; displayName: string }> {
  const id = String(Number.parseInt(createSnowflake().slice(-9), 10) + 1_000_000_000);
  const login = `${prefix}_${id}`.slice(0, 25);
  const displayName = `${prefix.charAt(0).toUpperCase()}${prefix.slice(1)}_${id}`.slice(0, 25);
  await twitchControl().upsertUsers([{ id, login, displayName }]);
  return { id, login, displayName };
}

/** Sends a signed slash command to the Worker and returns Discord's view of the answer. */
export async function runCommand(
  scene: InteractionScene,
  group: string,
  subcommand: string,
  options: Record<string, string | number | boolean> = {},
  extra: { type?: number; focused?: string; bindings?: Partial<WorkerBindings> } = {},
) {
  const token = `interaction-token-${createSnowflake()}`;
  await discordControl().registerInteraction({
    interactionToken: token,
    applicationId: testCredentials.discordApplicationId,
    channelId: scene.channelId,
  });
  const payload = buildCommand(scene, group, subcommand, options, { ...extra, token });
  const response = await callWorker(await createSignedInteractionRequest(payload), extra.bindings);
  const body = (await response.json()) as {
    type: number;
    data?: {
      content?: string;
      flags?: number;
      embeds?: Record<string, unknown>[];
      components?: unknown[];
      choices?: { name: string; value: string }[];
    };
  };
  return { status: response.status, body, token };
}

/** The message a deferred command ended with (its edit of @original). */
export async function readEditedReply(token: string) {
  const state = await discordControl().readInteraction(token);
  return state.original;
}

/** Runs /twitch connect, clicks Authorize on the fake's consent page, and follows the redirect. */
export async function linkTwitch(
  scene: InteractionScene,
  user: { id: string },
  options: {
    scopes?: string[];
    decision?: "authorize" | "cancel";
    acceptLanguage?: string;
    bindings?: Partial<WorkerBindings>;
  } = {},
) {
  const connect = await runCommand(scene, "twitch", "connect", {}, { bindings: options.bindings });
  const authorizeUrl = extractAuthorizeUrl(connect.body);
  const consent = await fetch(authorizeUrl.origin + authorizeUrl.pathname, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: authorizeUrl.searchParams.get("client_id") ?? "",
      redirect_uri: authorizeUrl.searchParams.get("redirect_uri") ?? "",
      scope: options.scopes?.join(" ") ?? authorizeUrl.searchParams.get("scope") ?? "",
      state: authorizeUrl.searchParams.get("state") ?? "",
      user_id: user.id,
      decision: options.decision ?? "authorize",
    }),
  });
  await consent.body?.cancel();
  const callbackUrl = consent.headers.get("location");
  if (consent.status !== 302 || !callbackUrl) throw new Error(`consent did not redirect: ${consent.status}`);
  const callback = await callWorker(
    new Request(callbackUrl, { headers: { "accept-language": options.acceptLanguage ?? "en-US,en;q=0.9" } }),
    options.bindings,
  );
  return { connect, authorizeUrl, callbackUrl, callback, html: await callback.text() };
}

export function extractAuthorizeUrl(body: { data?: { components?: unknown[] } }): URL {
  const row = body.data?.components?.[0] as { components?: { url?: string }[] } | undefined;
  const url = row?.components?.[0]?.url;
  if (!url) throw new Error("the reply has no link button");
  return new URL(url);
}
