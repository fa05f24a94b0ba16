/**
 * Renders a page of docs/ (markdown) to a standalone HTML page for Workers Static Assets, at build
 * time (scripts/buildPageAssets.ts), so the public raffle page can link to docs/fairness.md on the
 * Worker's own origin. It knows the markdown docs/ uses and no more: headings, paragraphs, nested
 * lists, tables, fenced code, `code` and **bold**; HTML comments are dropped and any other HTML
 * is shown as text. Everything is escaped; the page loads nothing (its CSP allows only its own
 * inline style, by hash).
 */
import { createHash } from "node:crypto";

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A heading's anchor: lower-case words joined by `-` ("Vector 3: `rejection`" → `vector-3-rejection`). */
export function formatHeadingAnchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Inline markdown: code spans (any number of backticks), then **bold** in the escaped rest. */
export function renderInline(text: string): string {
  let html = "";
  let rest = text;
  for (;;) {
    const opening = /`+/.exec(rest);
    if (opening === null) break;
    const fence = opening[0];
    const closing = rest.indexOf(fence, opening.index + fence.length);
    // A run of backticks without its match is text.
    if (closing < 0 || rest[closing + fence.length] === "`") {
      html += renderEmphasis(rest.slice(0, opening.index + fence.length));
      rest = rest.slice(opening.index + fence.length);
      continue;
    }
    let code = rest.slice(opening.index + fence.length, closing);
    if (code.startsWith(" ") && code.endsWith(" ") && code.trim() !== "") code = code.slice(1, -1);
    html += `${renderEmphasis(rest.slice(0, opening.index))}<code>${escapeHtml(code)}</code>`;
    rest = rest.slice(closing + fence.length);
  }
  return html + renderEmphasis(rest);
}

function renderEmphasis(text: string): string {
  return escapeHtml(text).replace(/\*\*(\S(?:.*?\S)?)\*\*/g, "<strong>$1</strong>");
}

const listMarkerPattern = /^( *)([-*]|\d+\.) +(.*)$/;
const fencePattern = /^(`{3,})(.*)$/;
const headingPattern = /^(#{1,6}) +(.*)$/;
const tableSeparatorPattern = /^\|(?: *:?-+:? *\|)+$/;

function isBlockStart(line: string, next: string | undefined): boolean {
  return (
    fencePattern.test(line) ||
    headingPattern.test(line) ||
    /^([-*]|\d+\.) /.test(line) ||
    line.startsWith("<!--") ||
    (line.startsWith("|") && next !== undefined && tableSeparatorPattern.test(next))
  );
}

function splitTableRow(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let inCode = false;
  for (const character of line.trim().replace(/^\|/, "").replace(/\|$/, "")) {
    if (character === "`") inCode = !inCode;
    if (character === "|" && !inCode) {
      cells.push(cell.trim());
      cell = "";
    } else {
      cell += character;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/** Renders markdown blocks; `lines` have no trailing newline. */
export function renderBlocks(lines: readonly string[]): string {
  const html: string[] = [];
  let index = 0;
  const at = (position: number) => lines[position] ?? "";
  while (index < lines.length) {
    const line = at(index);
    if (line.trim() === "") {
      index += 1;
      continue;
    }
    if (line.startsWith("<!--")) {
      while (index < lines.length && !at(index).includes("-->")) index += 1;
      index += 1;
      continue;
    }
    const fence = fencePattern.exec(line);
    if (fence) {
      const marker = fence[1] ?? "```";
      const language = (fence[2] ?? "").trim().split(/\s+/)[0] ?? "";
      const code: string[] = [];
      index += 1;
      while (index < lines.length && at(index).trimEnd() !== marker) code.push(at(index++));
      index += 1;
      const className = language === "" ? "" : ` class="language-${escapeHtml(language)}"`;
      html.push(`<pre><code${className}>${escapeHtml(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = headingPattern.exec(line);
    if (heading) {
      const level = heading[1]?.length ?? 1;
      const text = heading[2] ?? "";
      html.push(`<h${level} id="${escapeHtml(formatHeadingAnchor(text))}">${renderInline(text)}</h${level}>`);
      index += 1;
      continue;
    }
    if (line.startsWith("|") && tableSeparatorPattern.test(at(index + 1))) {
      const header = splitTableRow(line);
      index += 2;
      const rows: string[][] = [];
      while (index < lines.length && at(index).startsWith("|")) rows.push(splitTableRow(at(index++)));
      html.push(
        `<table><thead><tr>${header.map((cell) => `<th>${renderInline(cell)}</th>`).join("")}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((cell) => `<td>${renderInline(cell)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      continue;
    }
    const marker = listMarkerPattern.exec(line);
    if (marker && (marker[1] ?? "") === "") {
      const ordered = /^\d/.test(marker[2] ?? "");
      const items: string[][] = [];
      while (index < lines.length) {
        const item = listMarkerPattern.exec(at(index));
        if (!item || (item[1] ?? "") !== "" || /^\d/.test(item[2] ?? "") !== ordered) break;
        const width = (item[2] ?? "").length + 1;
        const content = [item[3] ?? ""];
        index += 1;
        // The item goes on while lines are indented, across blank lines followed by indented ones.
        while (index < lines.length) {
          const next = at(index);
          if (next.trim() === "") {
            if (/^ +\S/.test(at(index + 1))) {
              content.push("");
              index += 1;
              continue;
            }
            break;
          }
          if (!/^ +\S/.test(next)) break;
          content.push(next.replace(new RegExp(`^ {1,${width}}`), ""));
          index += 1;
        }
        items.push(content);
        while (index < lines.length && at(index).trim() === "" && listMarkerPattern.test(at(index + 1))) index += 1;
      }
      const tag = ordered ? "ol" : "ul";
      const start = ordered && marker[2] !== "1." ? ` start="${Number.parseInt(marker[2] ?? "1", 10)}"` : "";
      html.push(
        `<${tag}${start}>${items
          .map((content) => `<li>${renderBlocks(content).replace(/^<p>([\s\S]*?)<\/p>/, "$1")}</li>`)
          .join("")}</${tag}>`,
      );
      continue;
    }
    const paragraph: string[] = [];
    while (
      index < lines.length &&
      at(index).trim() !== "" &&
      !(paragraph.length > 0 && isBlockStart(at(index), at(index + 1)))
    ) {
      paragraph.push(at(index).trim());
      index += 1;
    }
    html.push(`<p>${renderInline(paragraph.join(" "))}</p>`);
  }
  return html.join("\n");
}

const pageStyle = `:root { font-family: system-ui, sans-serif; color-scheme: dark; }
body { margin: 0; background: #0e0e10; color: #efeff1; line-height: 1.55; }
main { max-width: 50rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.35rem; margin-top: 2rem; } h3 { font-size: 1.1rem; margin-top: 1.5rem; }
a { color: #bf94ff; }
code { padding: .1rem .3rem; border-radius: .25rem; background: #26262c; font-size: .9em; overflow-wrap: anywhere; }
pre { padding: .75rem; border-radius: .5rem; background: #18181b; overflow-x: auto; }
pre code { padding: 0; background: none; overflow-wrap: normal; }
table { border-collapse: collapse; display: block; overflow-x: auto; }
th, td { border: 1px solid #3a3a3d; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td code { overflow-wrap: anywhere; }
`;

/** A standalone page: the markdown rendered, its first heading as the title, nothing from another origin. */
export function renderMarkdownPage(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const title = (lines.find((line) => line.startsWith("# ")) ?? "# LiveLoot").slice(2);
  const styleHash = createHash("sha256").update(pageStyle, "utf8").digest("base64");
  const policy = `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="referrer" content="no-referrer">
<title>${renderInline(title).replace(/<[^>]+>/g, "")} · LiveLoot</title>
<style>${pageStyle}</style>
</head>
<body>
<main>
${renderBlocks(lines)}
</main>
</body>
</html>
`;
}
