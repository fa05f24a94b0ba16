import type { Locale } from "../i18n/translate";
import { escapeHtml } from "./escapeHtml";
import { renderInlineCode } from "./renderInlineCode";

/**
 * A small, self-contained page for a browser tab (the Twitch redirect, a 404). The message may
 * mark command names with backticks; they render as code.
 */
export function renderMessagePage(options: {
  locale: Locale;
  title: string;
  message: string;
  status: number;
  success: boolean;
  link?: { href: string; label: string };
}): Response {
  const accent = options.success ? "#00c07f" : "#eb0400";
  const icon = options.success ? "✅" : "⚠️";
  const linkParagraph = options.link
    ? `<p class="next"><a href="${escapeHtml(options.link.href)}">${escapeHtml(options.link.label)}</a></p>`
    : "";
  const html = `<!doctype html>
<html lang="${options.locale === "pt-BR" ? "pt-BR" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(options.title)} · LiveLoot</title>
<style>
  :root { font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #0e0e10; color: #efeff1; }
  main { max-width: 30rem; margin: 1rem; padding: 2rem; border-radius: .75rem; background: #18181b;
    border-top: 4px solid ${accent}; text-align: center; }
  h1 { margin: 0 0 .75rem; font-size: 1.5rem; }
  p { margin: 0; line-height: 1.5; color: #dedee3; }
  code { padding: .1rem .3rem; border-radius: .25rem; background: #26262c; font-size: .95em; }
  .next { margin-top: 1rem; }
  a { color: #bf94ff; }
  .brand { margin-top: 1.5rem; font-size: .85rem; color: #adadb8; }
</style>
</head>
<body>
<main>
  <h1>${icon} ${escapeHtml(options.title)}</h1>
  <p>${renderInlineCode(options.message)}</p>
  ${linkParagraph}
  <p class="brand">🎁 LiveLoot</p>
</main>
</body>
</html>`;
  return new Response(html, {
    status: options.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-language": options.locale,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
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
