import { beforeAll, describe, expect, it } from "vitest";
import { fairnessDocPath } from "../../../worker/http/raffle/renderRafflePage";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import { createRunningRaffle, useTestDatabase } from "../../support/worker/commandHelpers";

/**
 * The public raffle page links to the algorithm to the byte (docs/fairness.md, built into a
 * Workers Static Asset by scripts/buildPageAssets.ts) on the Worker's own origin. The asset layer
 * in front of the Worker is not reachable from here (the Worker's fetch is called directly), so
 * this reads the asset through the ASSETS binding at the link's path; the browser test
 * (test/node/integration/raffle-page-browser.test.ts) follows the link on `wrangler dev`.
 */

const database = useTestDatabase();
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("the fairness page (docs/fairness.md) and the raffle page's link to it", () => {
  let publicId = "";

  beforeAll(async () => {
    const setting = await createRunningRaffle({ items: "Golden Sword:3, Shield:1x5" });
    const [row] = await database.query<{ public_id: string }>("select public_id from raffles where guild_id = $1", [
      setting.scene.guildId,
    ]);
    if (!row) throw new Error("no raffle was started");
    publicId = row.public_id;
  });

  it("links to it from the raffle page, in English and in Portuguese", async () => {
    for (const [language, text] of [
      ["en-US", "The recipe to the byte, with test vectors"],
      ["pt-BR", "A receita byte a byte, com vetores de teste"],
    ] as const) {
      const response = await callWorker(
        new Request(`https://liveloot.test/r/${publicId}`, {
          headers: { accept: browserAccept, "accept-language": language },
        }),
      );
      expect(response.status).toBe(200);
      const html = await response.text();
      // A same-origin path: it works wherever the Worker is deployed.
      expect(html).toMatch(new RegExp(`<a href="${fairnessDocPath}" hreflang="en">${text}[^<]*</a>`));
      expect(fairnessDocPath).toMatch(/^\/[a-z/]+$/);
    }
  });

  it("is a built static asset: the algorithm, its test vectors, and nothing loaded from anywhere", async () => {
    const assets = testEnvironment().ASSETS;
    if (!assets) throw new Error("the ASSETS binding is missing: wrangler.toml [assets]");
    const response = await assets.fetch(new Request(`https://liveloot.test${fairnessDocPath}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("<title>Provable fairness: the liveloot/v1 draw algorithm · LiveLoot</title>");
    expect(html).toContain("52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971");
    expect(html.match(/<pre><code class="language-json">\{/g)?.length).toBeGreaterThanOrEqual(6);
    expect(html).toContain("limit = ⌊2^48 / total⌋ · total");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\son\w+=/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src/);
  });
});
