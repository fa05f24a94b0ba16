import { inject } from "vitest";
import { type DiscordAttachment, DiscordControl } from "../../../devkit/fakes/discordControl";
import { TwitchControl } from "../../../devkit/fakes/twitchControl";
import { testCredentials } from "../../../devkit/localBindings";
import type { WorkerBindings } from "../../../worker/env";
import { TestBrowser } from "../TestBrowser";
import { callWorker } from "./callWorker";
import { buildCommand, createSnowflake, type InteractionScene } from "./interactions";
import { createSignedInteractionRequest } from "./signInteraction";

export function twitchControl(): TwitchControl {
  return new TwitchControl(inject("twitchFakeUrl"));
}

export function discordControl(): DiscordControl {
  return new DiscordControl(inject("discordFakeUrl"));
}

/** A new browser (its own cookies) whose requests reach the Worker's handler with these bindings. */
export function openWorkerBrowser(bindings: Partial<WorkerBindings> = {}): TestBrowser {
  return new TestBrowser((request) => callWorker(request, bindings));
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

/**
 * Sends a signed slash command (or, with `type: 4`, an autocomplete) to the Worker and returns its
 * answer. The answer is handed to the Discord fake exactly as Discord would receive it: if Discord
 * would refuse it ("This interaction failed": not 200, not JSON, a limit broken such as a button
 * URL over 512 characters or 26 autocomplete choices), this throws an Error naming the limits.
 * A test that means to get a refused answer passes `acceptRefusal: true` and reads `discord`.
 */
export async function runCommand(
  scene: InteractionScene,
  group: string,
  subcommand: string,
  options: Record<string, string | number | boolean> = {},
  extra: {
    type?: number;
    focused?: string;
    bindings?: Partial<WorkerBindings>;
    acceptRefusal?: boolean;
    /** Attachment options by name, e.g. `{ file: await discordControl().uploadAttachment(…) }`. */
    attachments?: Record<string, DiscordAttachment>;
  } = {},
) {
  const token = `interaction-token-${createSnowflake()}`;
  const discord = discordControl();
  await discord.registerInteraction({
    interactionToken: token,
    applicationId: testCredentials.discordApplicationId,
    channelId: scene.channelId,
  });
  const payload = buildCommand(scene, group, subcommand, options, { ...extra, token });
  const response = await callWorker(await createSignedInteractionRequest(payload), extra.bindings);
  const text = await response.text();
  const verdict = await discord.recordInteractionResponse(token, {
    status: response.status,
    bodyText: text,
    contentType: response.headers.get("content-type") ?? undefined,
    interactionType: payload.type,
  });
  if (!verdict.ok && extra.acceptRefusal !== true) {
    throw new Error(
      `Discord would refuse the Worker's answer to /${group} ${subcommand} (HTTP ${response.status}): ` +
        `${verdict.problems.join("; ")}\nanswer: ${text.slice(0, 2000)}`,
    );
  }
  const body = parseAnswer(text) as {
    type: number;
    data?: {
      content?: string;
      flags?: number;
      embeds?: Record<string, unknown>[];
      components?: unknown[];
      choices?: { name: string; value: string }[];
    };
  };
  return { status: response.status, body, token, discord: verdict };
}

function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** The message a deferred command ended with (its edit of @original). */
export async function readEditedReply(token: string) {
  const state = await discordControl().readInteraction(token);
  return state.original;
}

/** How a test streamer answers Twitch's consent page. */
interface ConsentOptions {
  /** What to grant; the authorize URL's scopes when left out. */
  scopes?: string[];
  decision?: "authorize" | "cancel";
  acceptLanguage?: string;
  bindings?: Partial<WorkerBindings>;
  /** The streamer's browser (its cookies, openWorkerBrowser); a new one when left out. */
  browser?: TestBrowser;
}

/** Runs /twitch connect, clicks Authorize on the fake's consent page, and follows the redirect. */
export async function linkTwitch(
  scene: InteractionScene,
  user: { id: string },
  options: ConsentOptions & {
    /** The server's name in the Discord fake (the link page and the success page show it). */
    guildName?: string;
  } = {},
) {
  await discordControl().upsertGuild({ id: scene.guildId, name: options.guildName ?? describeTestGuild(scene) });
  const connect = await runCommand(scene, "twitch", "connect", {}, { bindings: options.bindings });
  return { connect, ...(await completeTwitchLink(connect.body, user, options)) };
}

/**
 * Answers the Twitch fake's consent page for `authorizeUrl` as `user` (granting what it asks for,
 * or `options.scopes`) and returns where Twitch redirects the browser: the app's callback.
 */
export async function answerConsent(
  authorizeUrl: URL,
  user: { id: string },
  options: Pick<ConsentOptions, "scopes" | "decision"> = {},
): Promise<string> {
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
  return callbackUrl;
}

/**
 * Follows a reply's link button as a streamer would, in one browser: the link page (which sets the
 * browser's cookie), Twitch's consent (granting what the authorize URL asks for, or
 * `options.scopes`), the callback. For /twitch connect's reply and for /raffle start's re-link
 * button alike.
 */
export async function completeTwitchLink(
  body: { data?: { components?: unknown[] } },
  user: { id: string },
  options: ConsentOptions = {},
) {
  const { linkPageUrl, linkPage, authorizeUrl, browser } = await openLinkPage(body, options);
  const callbackUrl = await answerConsent(authorizeUrl, user, options);
  const callback = await browser.open(callbackUrl, options);
  return { linkPageUrl, linkPage, authorizeUrl, callbackUrl, callback, browser, html: await callback.text() };
}

/** The name the Discord fake gives a test's server unless the test names it. */
export function describeTestGuild(scene: InteractionScene): string {
  return `Test server ${scene.guildId.slice(-4)}`;
}

/** The URL of the reply's link button (the /twitch/link/{id} page). */
export function extractButtonUrl(body: { data?: { components?: unknown[] } }): URL {
  const row = body.data?.components?.[0] as { components?: { url?: string }[] } | undefined;
  const url = row?.components?.[0]?.url;
  if (!url) throw new Error("the reply has no link button");
  return new URL(url);
}

/**
 * Opens the button's page in `options.browser` (a new browser when left out), which keeps the
 * page's cookie, and reads where its "Continue" link leads.
 */
export async function openLinkPage(
  body: { data?: { components?: unknown[] } },
  options: { acceptLanguage?: string; bindings?: Partial<WorkerBindings>; browser?: TestBrowser } = {},
) {
  const linkPageUrl = extractButtonUrl(body);
  const browser = options.browser ?? openWorkerBrowser(options.bindings);
  const response = await browser.open(linkPageUrl, options);
  const html = await response.text();
  const href = /<p class="next"><a class="button" href="([^"]+)"/.exec(html)?.[1];
  if (response.status !== 200 || !href) throw new Error(`the link page did not lead to Twitch: ${response.status}`);
  const authorizeUrl = new URL(href.replaceAll("&amp;", "&"));
  return { linkPageUrl, linkPage: { status: response.status, html }, authorizeUrl, browser };
}
