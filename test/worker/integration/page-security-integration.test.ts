import { describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { callWorker } from "../../support/worker/callWorker";
import { createChatter, createLinkedScene, drawNow, useTestDatabase } from "../../support/worker/commandHelpers";
import {
  answerConsent,
  createTwitchUser,
  linkTwitch,
  openLinkPage,
  openWorkerBrowser,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene } from "../../support/worker/interactions";

// Issue 21, item 7: no HTML page of LiveLoot may be framed by another site (clickjacking: a page
// under an invisible frame steering the click on "Continue to Twitch"), take a <base> that moves
// its relative links, or submit a form anywhere (none of them has one).
const database = useTestDatabase();
const base = testCredentials.publicBaseUrl;
const browser = { accept: "text/html,application/xhtml+xml", "accept-language": "en-US,en;q=0.9" };

/** The policy's directives by name, each with its sources. */
function readPolicy(response: Response): Map<string, string> {
  const policy = response.headers.get("content-security-policy") ?? "";
  return new Map(
    policy
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name = "", ...sources]) => [name.toLowerCase(), sources.join(" ")]),
  );
}

describe("every HTML page's Content-Security-Policy", () => {
  it("forbids framing, <base> and form submissions on each page a browser can reach", async () => {
    const pages: [string, Response][] = [];
    const keep = async (name: string, response: Response) => {
      pages.push([name, response]);
      if (!response.bodyUsed) await response.body?.cancel();
    };

    await keep("landing", await callWorker(new Request(`${base}/`, { headers: browser })));
    await keep("404", await callWorker(new Request(`${base}/no/such/page`, { headers: browser })));

    // The link page, the same page refused to a second browser, and the callback's two answers.
    const streamer = await createTwitchUser();
    const connect = await runCommand(createScene(), "twitch", "connect");
    const linkPage = await openLinkPage(connect.body);
    await keep("link page", await linkPage.browser.open(linkPage.linkPageUrl));
    await keep("link page opened elsewhere", await openWorkerBrowser().open(linkPage.linkPageUrl));
    await keep(
      "Twitch callback, refused",
      await callWorker(new Request(`${base}/twitch/callback?code=x&state=y`, { headers: browser })),
    );
    const linked = await linkTwitch(createScene(), streamer);
    await keep("Twitch callback, linked", linked.callback);

    // A raffle whose prizes must be claimed, one draw: its public page, the claim page, the sign-in's result.
    const { scene, streamer: channel } = await createLinkedScene();
    expect((await runCommand(scene, "loot", "add", { name: "Sticker", weight: 1 })).status).toBe(200);
    expect((await runCommand(scene, "raffle", "start", { cooldown: 0, claim: 15 })).status).toBe(200);
    const winner = createChatter("winner");
    await twitchControl().setChatters(channel.id, { chatters: [winner] });
    await twitchControl().upsertUsers([{ ...winner, displayName: winner.login }]);
    await drawNow(scene);
    const [raffle] = await database.query<{ public_id: string; claim_public_id: string }>(
      `select r.public_id, c.public_id as claim_public_id
       from raffles r join draws d on d.raffle_id = r.id join claims c on c.draw_id = d.id
       where r.guild_id = $1`,
      [scene.guildId],
    );
    if (!raffle) throw new Error("the draw opened no claim");
    await keep("raffle page", await callWorker(new Request(`${base}/r/${raffle.public_id}`, { headers: browser })));
    const claimUrl = `${base}/claim/${raffle.claim_public_id}`;
    await keep("claim page", await callWorker(new Request(claimUrl, { headers: browser })));
    const viewersBrowser = openWorkerBrowser();
    const signIn = await viewersBrowser.open(`${claimUrl}/sign-in`);
    const callbackUrl = await answerConsent(new URL(signIn.headers.get("location") ?? ""), winner);
    await keep("claim callback, refused", await callWorker(new Request(callbackUrl, { headers: browser })));
    await keep("claim callback, claimed", await viewersBrowser.open(callbackUrl));

    // The operator API's docs page.
    const adminToken = `admin-token-${crypto.randomUUID()}-${crypto.randomUUID()}`;
    await keep(
      "admin docs",
      await callWorker(
        new Request(`${base}/admin/docs`, {
          headers: { ...browser, authorization: `Bearer ${adminToken}`, "cf-connecting-ip": "198.51.100.77" },
        }),
        { ADMIN_API_TOKEN: adminToken },
      ),
    );

    expect(pages.map(([name, response]) => [name, response.status])).toEqual([
      ["landing", 200],
      ["404", 404],
      ["link page", 200],
      ["link page opened elsewhere", 409],
      ["Twitch callback, refused", 400],
      ["Twitch callback, linked", 200],
      ["raffle page", 200],
      ["claim page", 200],
      ["claim callback, refused", 400],
      ["claim callback, claimed", 200],
      ["admin docs", 200],
    ]);
    for (const [name, response] of pages) {
      expect(response.headers.get("content-type"), name).toContain("text/html");
      // Soft: a failure names every page that lacks a directive, not only the first.
      const policy = readPolicy(response);
      expect.soft(policy.get("frame-ancestors"), `${name}: frame-ancestors`).toBe("'none'");
      expect.soft(policy.get("base-uri"), `${name}: base-uri`).toBe("'none'");
      expect.soft(policy.get("form-action"), `${name}: form-action`).toBe("'none'");
      expect.soft(policy.has("default-src"), `${name}: default-src`).toBe(true);
    }
  });
});
