import { afterAll, describe, expect, inject, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { callWorker } from "../../support/worker/callWorker";
import { message } from "../../support/worker/commandHelpers";
import {
  answerConsent,
  createTwitchUser,
  discordControl,
  extractButtonUrl,
  linkTwitch,
  openLinkPage,
  openWorkerBrowser,
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
    const streamersBrowser = openWorkerBrowser();
    const page = await streamersBrowser.open(extractButtonUrl(connect.body));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("Streamer asked to link a Twitch channel to the Discord server “Pixel &amp; Co &lt;3”");
    const { authorizeUrl } = await openLinkPage(connect.body, { browser: streamersBrowser });
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

describe("the link page belongs to the first browser that opens it", () => {
  it("hands that browser a cookie for the callback and this page only, HttpOnly, SameSite=Lax, Secure over https", async () => {
    const scene = createScene();
    const connect = await runCommand(scene, "twitch", "connect");
    const { linkPageUrl, authorizeUrl, browser: streamersBrowser } = await openLinkPage(connect.body);
    const cookies = streamersBrowser.listCookies();
    expect(cookies.map((cookie) => cookie.path).sort()).toEqual(["/twitch/callback", linkPageUrl.pathname]);
    for (const cookie of cookies) {
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
      expect(cookie.name).toMatch(/^liveloot_link_[A-Za-z0-9_-]{16}$/);
      expect(((cookie.expiresAt ?? 0) - Date.now()) / 1000).toBeGreaterThan(590);
      expect(((cookie.expiresAt ?? 0) - Date.now()) / 1000).toBeLessThanOrEqual(600);
    }
    // The nonce stays in the browser: neither the authorize URL nor the database holds it.
    const nonce = cookies[0]?.value ?? "";
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeUrl.toString().includes(nonce)).toBe(false);
    const [row] = await database.query<{ row_text: string }>(
      "select t::text as row_text from oauth_states t where link_id = $1",
      [linkPageUrl.pathname.split("/").at(-1)],
    );
    expect(row?.row_text.includes(nonce)).toBe(false);
    // A plain (non-secure) origin gets no Secure attribute, or an http browser could never send it back.
    const plain = { PUBLIC_BASE_URL: "http://127.0.0.1:8787" };
    const plainConnect = await runCommand(scene, "twitch", "connect", {}, { bindings: plain });
    const plainPage = await callWorker(new Request(extractButtonUrl(plainConnect.body), { headers: browser }), plain);
    expect(plainPage.status).toBe(200);
    const plainCookies = plainPage.headers.getSetCookie();
    expect(plainCookies).toHaveLength(2);
    for (const line of plainCookies) {
      expect(line).toContain("HttpOnly");
      expect(line).not.toContain("Secure");
    }
  });

  it("tells a second browser the link was already opened, with nothing to continue with; the first may reopen it", async () => {
    const scene = createScene();
    await discordControl().upsertGuild({ id: scene.guildId, name: "Pixel Hideout" });
    const connect = await runCommand(scene, "twitch", "connect");
    const first = await openLinkPage(connect.body);

    for (const acceptLanguage of ["en-US,en;q=0.9", "pt-BR,pt;q=0.9"]) {
      const secondBrowser = openWorkerBrowser();
      const second = await secondBrowser.open(first.linkPageUrl, { acceptLanguage });
      expect(second.status).toBe(409);
      expect(second.headers.get("content-type")).toContain("text/html");
      const html = await second.text();
      const [start = ""] = message(
        "linkPageAlreadyOpened",
        {},
        acceptLanguage.startsWith("pt") ? "pt-BR" : "en-US",
      ).split("`");
      expect(html).toContain(start);
      expect(html).not.toContain("oauth2/authorize");
      expect(html).not.toContain("Pixel Hideout");
      expect(html).not.toContain('class="next"');
      expect(secondBrowser.listCookies()).toEqual([]);
    }

    // The browser that opened it first sees the same page, leading to the same authorize URL.
    const again = await openLinkPage(connect.body, { browser: first.browser });
    expect(again.authorizeUrl.toString()).toBe(first.authorizeUrl.toString());
    expect(again.linkPage.html).toContain("Pixel Hideout");
  });

  it("lets one browser link two servers from two tabs: each tab's cookie is its own", async () => {
    const browserWithTabs = openWorkerBrowser();
    const linked: string[] = [];
    const scenes = [createScene(), createScene()];
    const users = [await createTwitchUser(), await createTwitchUser()];
    const connects = [];
    for (const scene of scenes) connects.push(await runCommand(scene, "twitch", "connect"));
    const pages = [];
    for (const connect of connects) pages.push(await openLinkPage(connect.body, { browser: browserWithTabs }));
    for (const [index, page] of pages.entries()) {
      const callbackUrl = await answerConsent(page.authorizeUrl, users[index] ?? { id: "" });
      const callback = await browserWithTabs.open(callbackUrl);
      expect(callback.status).toBe(200);
      linked.push(await callback.text());
    }
    const rows = await database.query<{ guild_id: string; twitch_user_id: string }>(
      "select guild_id, twitch_user_id from twitch_links where guild_id = any($1) order by guild_id",
      [scenes.map((scene) => scene.guildId)],
    );
    expect(rows).toHaveLength(2);
    for (const [index, scene] of scenes.entries())
      expect(rows.find((row) => row.guild_id === scene.guildId)?.twitch_user_id).toBe(users[index]?.id);
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
