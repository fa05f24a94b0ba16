import { afterAll, describe, expect, inject, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { callWorker } from "../../support/worker/callWorker";
import { message } from "../../support/worker/commandHelpers";
import {
  createTwitchUser,
  discordControl,
  extractButtonUrl,
  linkTwitch,
  openLinkPage,
  readEditedReply,
  runCommand,
} from "../../support/worker/fakes";
import { createScene } from "../../support/worker/interactions";
import { openTestDatabase } from "../../support/worker/testDatabase";

// /twitch connect's button must fit Discord's 512-character limit for a button URL
// (https://discord.com/developers/docs/components/reference#button) at production lengths:
// testCredentials has a 40-character https origin, a 30-character Twitch client id and a
// 19-digit application id, and scenes have 19-digit snowflakes.
const database = openTestDatabase();
afterAll(() => database.close());

const browser = { accept: "text/html,application/xhtml+xml", "accept-language": "en-US,en;q=0.9" };

describe("/twitch connect's link button", () => {
  it("points at a short page of ours, which Discord accepts, while Twitch's own URL would not fit", async () => {
    const scene = createScene();
    const connect = await runCommand(scene, "twitch", "connect");
    const buttonUrl = extractButtonUrl(connect.body);
    expect(buttonUrl.origin).toBe(testCredentials.publicBaseUrl);
    expect(buttonUrl.pathname).toMatch(/^\/twitch\/link\/[A-Za-z0-9_-]{24}$/);
    expect(buttonUrl.toString().length).toBeLessThanOrEqual(512);

    // What the button used to carry: the authorize URL with five scopes and the signed state.
    const { authorizeUrl } = await openLinkPage(connect.body);
    expect(authorizeUrl.toString().length).toBeGreaterThan(512);
  });

  it("names the Discord server and who asked, then continues to Twitch's consent page", async () => {
    const scene = createScene();
    await discordControl().upsertGuild({ id: scene.guildId, name: "Pixel & Co <3" });
    const connect = await runCommand(scene, "twitch", "connect");
    const page = await callWorker(new Request(extractButtonUrl(connect.body), { headers: browser }));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("Streamer asked to link a Twitch channel to the Discord server “Pixel &amp; Co &lt;3”");
    const { authorizeUrl } = await openLinkPage(connect.body);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${inject("twitchFakeUrl")}/oauth2/authorize`);
    expect(authorizeUrl.searchParams.get("client_id")).toBe(testCredentials.twitchClientId);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${testCredentials.publicBaseUrl}/twitch/callback`);
    expect(authorizeUrl.searchParams.get("state")?.split(".")).toHaveLength(2);
  });

  it("speaks Portuguese to a pt-BR browser", async () => {
    const scene = createScene();
    await discordControl().upsertGuild({ id: scene.guildId, name: "Canal da Ana" });
    const connect = await runCommand(scene, "twitch", "connect");
    const page = await callWorker(
      new Request(extractButtonUrl(connect.body), { headers: { ...browser, "accept-language": "pt-BR,pt;q=0.9" } }),
    );
    const html = await page.text();
    expect(html).toContain("pediu para vincular um canal da Twitch ao servidor do Discord “Canal da Ana”");
    expect(html).toContain("Continuar na Twitch");
  });

  it("still works when Discord cannot say the server's name: it shows the server id", async () => {
    const scene = createScene();
    const connect = await runCommand(scene, "twitch", "connect");
    const html = await (await callWorker(new Request(extractButtonUrl(connect.body), { headers: browser }))).text();
    expect(html).toContain(`Discord server “${scene.guildId}”`);
  });

  it("after linking, the success page names the Twitch account and the Discord server", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { html } = await linkTwitch(scene, user, { guildName: "Speedrun Hideout" });
    expect(html).toContain(`Linked as ${user.displayName} to the Discord server Speedrun Hideout`);
  });

  it("a used link gets the callback's 'already used' page", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { linkPageUrl } = await linkTwitch(scene, user);
    const again = await callWorker(new Request(linkPageUrl, { headers: browser }));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");
  });

  it("an expired link gets the 'expired' page", async () => {
    const scene = createScene();
    const connect = await runCommand(scene, "twitch", "connect");
    const url = extractButtonUrl(connect.body);
    const linkId = url.pathname.split("/").at(-1);
    await database.query("update oauth_states set expires_at = now() - interval '1 second' where link_id = $1", [
      linkId,
    ]);
    const response = await callWorker(new Request(url, { headers: browser }));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("expired");
  });

  it.each([
    ["an unknown id", "AAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a malformed id", "not a link id"],
    ["an empty id", ""],
  ])("%s gets the 'not valid' page, as HTML", async (_name, linkId) => {
    const response = await callWorker(
      new Request(`${testCredentials.publicBaseUrl}/twitch/link/${encodeURIComponent(linkId)}`, { headers: browser }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("text/html");
  });
});

describe("a cancelled consent", () => {
  it("edits the original reply so it no longer shows a usable button", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { connect, callback } = await linkTwitch(scene, user, { decision: "cancel" });
    expect(callback.status).toBe(400);
    const reply = await readEditedReply(connect.token);
    expect(reply?.content).toBe(message("twitchLinkCancelledInDiscord"));
    expect(reply?.components).toEqual([]);
  });
});
