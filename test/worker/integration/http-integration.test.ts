import { afterEach, describe, expect, it, vi } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { callWorker } from "../../support/worker/callWorker";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /", () => {
  it("serves the landing page with an Add to Discord button", async () => {
    const response = await callWorker(new Request("https://liveloot.test/"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("LiveLoot");
    expect(html).toMatch(/<a class="button" href="\/install">Add to Discord<\/a>/);
  });
});

describe("GET /install", () => {
  it("redirects to Discord's install link with the bot and commands scopes", async () => {
    const response = await callWorker(new Request("https://liveloot.test/install"));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("https://discord.com/oauth2/authorize");
    expect(location.searchParams.get("client_id")).toBe(testCredentials.discordApplicationId);
    expect(location.searchParams.get("scope")).toBe("bot applications.commands");
    // VIEW_CHANNEL + SEND_MESSAGES + EMBED_LINKS
    expect(location.searchParams.get("permissions")).toBe("19456");
    expect(location.searchParams.get("integration_type")).toBe("0");
  });
});

describe("routing and errors", () => {
  it("answers an unknown route with a JSON 404", async () => {
    const response = await callWorker(new Request("https://liveloot.test/nope"));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Not found." });
  });

  it("answers a malformed percent-escape in any public path as not found, never 500", async () => {
    for (const path of [
      "/r/%E0",
      "/r/%E0.json",
      "/r/%E0.csv",
      "/claim/%E0",
      "/claim/%E0/sign-in",
      "/twitch/link/%E0",
      "/%E0",
    ]) {
      const response = await callWorker(new Request(`https://liveloot.test${path}`));
      expect(response.status, path).toBe(404);
      await response.body?.cancel();
    }
  });

  it("fails every route but /health with a 500 and one log line naming the bad setting", async () => {
    const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    const secretLooking = "definitely-not-a-valid-key";
    for (const path of ["/", "/install", "/interactions"]) {
      const response = await callWorker(
        new Request(`https://liveloot.test${path}`, { method: path === "/interactions" ? "POST" : "GET" }),
        {
          TOKEN_ENCRYPTION_KEY: secretLooking,
        },
      );
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain(secretLooking);
    }
    expect(errorLog).toHaveBeenCalledTimes(3);
    const line = JSON.parse(String(errorLog.mock.calls[0]?.[0])) as Record<string, string>;
    expect(line).toMatchObject({ level: "error", invalid: "TOKEN_ENCRYPTION_KEY" });
    expect(JSON.stringify(errorLog.mock.calls)).not.toContain(secretLooking);
  });
});
