import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFairnessDocPage } from "../../../scripts/buildPageAssets";
import { renderMarkdownPage } from "../../../scripts/renderMarkdownPage";

/** docs/ pages become static HTML at build time (scripts/renderMarkdownPage.ts): escaped, self-contained. */
describe("renderMarkdownPage", () => {
  it("escapes every kind of text it renders, so a doc can never carry markup or a script", () => {
    const hostile = '<script>alert("x")</script>';
    const html = renderMarkdownPage(
      [
        `# Title ${hostile}`,
        "",
        `A paragraph ${hostile} with \`code ${hostile}\` and **bold ${hostile}**.`,
        "",
        `- item ${hostile}`,
        `  - nested <img src=x onerror=alert(1)>`,
        "",
        `| a | b |`,
        `|---|---|`,
        `| ${hostile} | \`x | y\` |`,
        "",
        "```html",
        hostile,
        "```",
        "",
        "<!-- a comment is dropped -->",
        `<iframe src="https://elsewhere.example"></iframe>`,
      ].join("\n"),
    );
    // No tag but the renderer's own: "onerror=" is left only as text inside an escaped "&lt;img".
    expect(html).not.toMatch(/<(script|img|iframe)/i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("<title>Title &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; · LiveLoot</title>");
    expect(html).toContain("<code>x | y</code>");
    expect(html).toContain("<ul><li>nested &lt;img src=x onerror=alert(1)&gt;</li></ul>");
    expect(html).not.toContain("a comment is dropped");
    expect(html).toContain('<pre><code class="language-html">&lt;script&gt;');
  });

  it("allows only its own inline style, by hash", () => {
    const html = renderMarkdownPage("# T\n");
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    expect(policy.replaceAll("&#39;", "'")).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'$/,
    );
  });

  it("builds docs/fairness.md into docs/fairness.html, every vector block included", async () => {
    const directory = await mkdtemp(join(tmpdir(), "liveloot-docs-"));
    try {
      const file = buildFairnessDocPage(directory);
      expect(file).toBe(join(directory, "docs", "fairness.html"));
      const html = await readFile(file, "utf8");
      const markdown = await readFile(join(import.meta.dirname, "../../../docs/fairness.md"), "utf8");
      const blocks = markdown.match(/^```json liveloot-v1-vector$/gm) ?? [];
      expect(blocks.length).toBeGreaterThanOrEqual(6);
      expect(html.match(/<pre><code class="language-json">/g)).toHaveLength(blocks.length);
      expect(html).toContain("&quot;vector&quot;: &quot;rejection&quot;");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
