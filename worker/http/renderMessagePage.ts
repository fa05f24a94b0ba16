import type { Locale } from "../i18n/translate";
import { escapeHtml } from "./escapeHtml";

/** A small, self-contained page for the browser tab Twitch redirects back to. */
export function renderMessagePage(options: {
  locale: Locale;
  title: string;
  message: string;
  status: number;
  success: boolean;
}): Response {
  const accent = options.success ? "#00c07f" : "#eb0400";
  const icon = options.success ? "✅" : "⚠️";
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
  .brand { margin-top: 1.5rem; font-size: .85rem; color: #adadb8; }
</style>
</head>
<body>
<main>
  <h1>${icon} ${escapeHtml(options.title)}</h1>
  <p>${escapeHtml(options.message)}</p>
  <p class="brand">🎁 LiveLoot</p>
</main>
</body>
</html>`;
  return new Response(html, {
    status: options.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}

/** The browser's preferred language among ours, from Accept-Language. */
export function resolveBrowserLocale(acceptLanguage: string | null): Locale {
  const first = acceptLanguage?.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("pt") ? "pt-BR" : "en-US";
}
