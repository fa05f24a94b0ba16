import type { Locale } from "../i18n/translate";
import { buildContentSecurityPolicy } from "./contentSecurityPolicy";
import { escapeHtml } from "./escapeHtml";
import { renderHtmlDocument } from "./renderHtmlDocument";
import { renderInlineCode } from "./renderInlineCode";

/**
 * A small, self-contained page for a browser tab (the Twitch redirect, a 404). The message may
 * mark command names with backticks; they render as code.
 */
const successIcon = `<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="#00c07f"/><path d="M6.5 12.5l3.5 3.5 7.5-8" fill="none" stroke="#fff" stroke-width="2.5"/></svg>`;
const warningIcon = `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2L23 21H1z" fill="#eb0400"/><path d="M12 9v6M12 17v2" stroke="#fff" stroke-width="2.2"/></svg>`;

export function renderMessagePage(options: {
  locale: Locale;
  title: string;
  message: string;
  status: number;
  success: boolean;
  link?: { href: string; label: string };
}): Response {
  const accent = options.success ? "#00c07f" : "#eb0400";
  // Drawn, not emoji: machines without an emoji font show emoji as empty boxes.
  const icon = options.success ? successIcon : warningIcon;
  const linkParagraph = options.link
    ? `<p class="next"><a class="button" href="${escapeHtml(options.link.href)}">${escapeHtml(options.link.label)}</a></p>`
    : "";
  const html = renderHtmlDocument({
    locale: options.locale,
    title: `${options.title} · LiveLoot`,
    style: `  :root { font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #0e0e10; color: #efeff1; }
  main { max-width: 30rem; margin: 1rem; padding: 2rem; border-radius: .75rem; background: #18181b;
    border-top: 4px solid ${accent}; text-align: center; }
  h1 { margin: 0 0 .75rem; font-size: 1.5rem; }
  p { margin: 0; line-height: 1.5; color: #dedee3; }
  code { padding: .1rem .3rem; border-radius: .25rem; background: #26262c; font-size: .95em; }
  .next { margin-top: 1rem; }
  a { color: #bf94ff; }
  a.button { display: inline-block; padding: .6rem 1.2rem; border-radius: .4rem; background: #9146ff; color: #fff;
    font-weight: 600; text-decoration: none; }
  a.button:hover, a.button:focus { background: #772ce8; }
  h1 svg { width: 1.3rem; height: 1.3rem; vertical-align: -.15rem; }
  .brand { margin-top: 1.5rem; font-size: .85rem; color: #adadb8; }
`,
    body: `<main>
  <h1>${icon} ${escapeHtml(options.title)}</h1>
  <p>${renderInlineCode(options.message)}</p>
  ${linkParagraph}
  <p class="brand">LiveLoot</p>
</main>
`,
  });
  return new Response(html, {
    status: options.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-language": options.locale,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": buildContentSecurityPolicy(),
    },
  });
}

/**
 * The browser's preferred language among ours, from Accept-Language: the highest-weighted
 * English or Portuguese entry wins (earlier on a tie); anything else means English.
 */
export function resolveBrowserLocale(acceptLanguage: string | null): Locale {
  let best: { locale: Locale; weight: number } | undefined;
  for (const entry of acceptLanguage?.split(",") ?? []) {
    const [range = "", ...parameters] = entry.trim().toLowerCase().split(";");
    const locale = range.startsWith("pt") ? "pt-BR" : range.startsWith("en") ? "en-US" : undefined;
    if (!locale) continue;
    const weightParameter = parameters
      .map((parameter) => parameter.trim())
      .find((parameter) => parameter.startsWith("q="));
    const weight = weightParameter ? Number(weightParameter.slice(2)) : 1;
    if (!(weight > 0)) continue;
    if (!best || weight > best.weight) best = { locale, weight };
  }
  return best?.locale ?? "en-US";
}
