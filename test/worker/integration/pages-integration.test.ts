import { describe, expect, it } from "vitest";
import { renderMessagePage, resolveBrowserLocale } from "../../../worker/http/renderMessagePage";
import { callWorker } from "../../support/worker/callWorker";

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("message pages (the Twitch callback's result)", () => {
  it("render the command names of a message as code, not as backticks", async () => {
    const response = await callWorker(
      new Request("https://liveloot.test/twitch/callback", { headers: { "accept-language": "en-US" } }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Run <code>/twitch connect</code> in Discord again");
    expect(html).not.toContain("`");
  });

  it("render them in Portuguese too", async () => {
    const response = await callWorker(
      new Request("https://liveloot.test/twitch/callback", { headers: { "accept-language": "pt-BR,pt;q=0.9" } }),
    );
    expect(response.headers.get("content-language")).toBe("pt-BR");
    expect(await response.text()).toContain("Use <code>/twitch conectar</code> no Discord de novo");
  });

  it("escape everything before marking code, so a message cannot inject markup", async () => {
    const response = renderMessagePage({
      locale: "en-US",
      title: "<b>title</b>",
      message: 'Run `<script>alert("x")</script>` & `a` then ` unclosed <img src=x>',
      status: 400,
      success: false,
    });
    const html = await response.text();
    expect(html).toContain(
      "Run <code>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</code> &amp; <code>a</code> then ` unclosed &lt;img src=x&gt;",
    );
    expect(html).toContain("&lt;b&gt;title&lt;/b&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
  });
});

describe("resolveBrowserLocale", () => {
  it("picks pt-BR only when Portuguese outweighs English", () => {
    expect(resolveBrowserLocale(null)).toBe("en-US");
    expect(resolveBrowserLocale("pt-BR,pt;q=0.9,en;q=0.8")).toBe("pt-BR");
    expect(resolveBrowserLocale("pt")).toBe("pt-BR");
    expect(resolveBrowserLocale("en-US,en;q=0.9,pt-BR;q=0.8")).toBe("en-US");
    expect(resolveBrowserLocale("fr-FR,pt-BR;q=0.7")).toBe("pt-BR");
    expect(resolveBrowserLocale("de-DE,fr;q=0.9")).toBe("en-US");
    expect(resolveBrowserLocale("en;q=0.5,pt-BR;q=0.8")).toBe("pt-BR");
    expect(resolveBrowserLocale("pt-BR;q=0,en")).toBe("en-US");
  });
});

describe("GET / (landing page)", () => {
  it("answers English by default, saying so and varying on Accept-Language", async () => {
    const response = await callWorker(new Request("https://liveloot.test/", { headers: { "accept-language": "de" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-language")).toBe("en-US");
    expect(response.headers.get("vary")).toContain("Accept-Language");
    const html = await response.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Run <code>/twitch connect</code> and link your Twitch channel.");
    expect(html).toMatch(/<a class="button" href="\/install">Add to Discord<\/a>/);
  });

  it("answers Portuguese to a browser that prefers pt-BR", async () => {
    const response = await callWorker(
      new Request("https://liveloot.test/", { headers: { "accept-language": "pt-BR,pt;q=0.9,en-US;q=0.8" } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-language")).toBe("pt-BR");
    expect(response.headers.get("vary")).toContain("Accept-Language");
    const html = await response.text();
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain("Use <code>/twitch conectar</code> e vincule seu canal da Twitch.");
    expect(html).toContain("<code>/sorteio iniciar</code>");
    expect(html).toMatch(/<a class="button" href="\/install">Adicionar ao Discord<\/a>/);
    expect(html).not.toContain("`");
  });
});

describe("unknown paths", () => {
  it("answer a browser with a localized HTML 404 page linking home", async () => {
    const english = await callWorker(
      new Request("https://liveloot.test/nope", { headers: { accept: browserAccept, "accept-language": "en-US" } }),
    );
    expect(english.status).toBe(404);
    expect(english.headers.get("content-type")).toContain("text/html");
    expect(english.headers.get("content-language")).toBe("en-US");
    expect(english.headers.get("vary")).toBe("Accept, Accept-Language");
    const englishHtml = await english.text();
    expect(englishHtml).toContain("Page not found");
    expect(englishHtml).toContain('<a class="button" href="/">Go to the home page</a>');

    const portuguese = await callWorker(
      new Request("https://liveloot.test/r/unknown", {
        headers: { accept: browserAccept, "accept-language": "pt-BR" },
      }),
    );
    expect(portuguese.status).toBe(404);
    expect(portuguese.headers.get("content-language")).toBe("pt-BR");
    const portugueseHtml = await portuguese.text();
    expect(portugueseHtml).toContain("Página não encontrada");
    expect(portugueseHtml).toContain('<a class="button" href="/">Ir para a página inicial</a>');
  });

  it("keep the JSON 404 for API clients", async () => {
    for (const accept of [undefined, "*/*", "application/json", "application/json, text/html;q=0.5"]) {
      const headers: Record<string, string> = accept ? { accept } : {};
      const response = await callWorker(new Request("https://liveloot.test/nope", { headers }));
      expect(response.status, `Accept: ${accept}`).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.headers.get("vary")).toBe("Accept");
      expect(await response.json()).toEqual({ error: "Not found." });
    }
    const post = await callWorker(
      new Request("https://liveloot.test/nope", {
        method: "POST",
        headers: { accept: "application/json" },
        body: "{}",
      }),
    );
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ error: "Not found." });
  });
});
