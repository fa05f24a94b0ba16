import type { Locale } from "../../i18n/translate";
import { buildContentSecurityPolicy } from "../contentSecurityPolicy";
import { escapeHtml } from "../escapeHtml";
import { renderHtmlDocument } from "../renderHtmlDocument";

/** The copy button's script: served by the Worker from its own origin, the only script the CSP allows. */
export const claimCopyScriptPath = "/claim/copy.js";
export const claimCopyScript = `document.querySelector("[data-copy]")?.addEventListener("click",function(){var b=this;navigator.clipboard.writeText(document.getElementById("code").textContent).then(function(){b.textContent=b.dataset.copied})});`;

/** The copy script: public, the same for everyone, cacheable. */
export function respondClaimCopyScript(): Response {
  return new Response(claimCopyScript, {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * A claim page: the raffle page's look, small enough for a phone. Everything is escaped. A page with
 * a prize code is never stored anywhere (`no-store`) and loads nothing but the copy script.
 */
export function renderClaimPage(options: {
  locale: Locale;
  title: string;
  heading: string;
  paragraphs: string[];
  status: number;
  success: boolean;
  link?: { href: string; label: string };
  code?: { value: string; label: string; copy: string; copied: string; note: string };
}): Response {
  const link = options.link
    ? `<p><a class="button" href="${escapeHtml(options.link.href)}">${escapeHtml(options.link.label)}</a></p>`
    : "";
  const code = options.code
    ? `<p class="label" id="code-label">${escapeHtml(options.code.label)}</p>
  <p class="code"><code id="code" aria-labelledby="code-label">${escapeHtml(options.code.value)}</code></p>
  <p><button type="button" data-copy data-copied="${escapeHtml(options.code.copied)}">${escapeHtml(options.code.copy)}</button></p>
  <p class="note">${escapeHtml(options.code.note)}</p>`
    : "";
  const html = renderHtmlDocument({
    locale: options.locale,
    title: `${options.title} · LiveLoot`,
    style: `  :root { font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #0e0e10; color: #efeff1; line-height: 1.5; }
  main { max-width: 30rem; margin: 1rem; padding: 1.5rem; border-radius: .75rem; background: #18181b;
    border-top: 4px solid ${options.success ? "#9146ff" : "#eb0400"}; text-align: center; }
  h1 { margin: 0 0 .75rem; font-size: 1.4rem; overflow-wrap: anywhere; }
  p { margin: .75rem 0 0; color: #dedee3; overflow-wrap: anywhere; }
  .label { color: #adadb8; font-size: .9rem; }
  .code code { display: block; padding: .75rem; border-radius: .5rem; background: #26262c; font-size: 1.25rem;
    user-select: all; overflow-wrap: anywhere; }
  .note, .brand { color: #adadb8; font-size: .85rem; }
  a.button, button { display: inline-block; min-height: 2.75rem; padding: .6rem 1.2rem; border: 0; border-radius: .4rem;
    background: #9146ff; color: #fff; font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
  a.button:hover, a.button:focus-visible, button:hover, button:focus-visible { background: #772ce8; }
  a.button:focus-visible, button:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
`,
    body: `<main>
  <h1>${escapeHtml(options.heading)}</h1>
  ${options.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join("\n  ")}
  ${code}
  ${link}
  <p class="brand">LiveLoot</p>
</main>
${options.code ? `<script src="${claimCopyScriptPath}"></script>` : ""}
`,
  });
  return new Response(html, {
    status: options.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-language": options.locale,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "content-security-policy": buildContentSecurityPolicy({ script: "'self'" }),
    },
  });
}
