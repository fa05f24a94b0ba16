import type { Locale } from "../i18n/translate";
import { escapeHtml } from "./escapeHtml";

/**
 * The document every page of LiveLoot shares: the language, a phone-sized viewport, the page's own
 * inline style (the pages' CSPs allow inline styles and no style sheet) and its body. Pages meant
 * for one person or one raffle are kept out of search engines (`noindex`); the landing page is not.
 */
export function renderHtmlDocument(options: {
  locale: Locale;
  /** The whole title, already in the page's words (escaped here). */
  title: string;
  style: string;
  body: string;
  indexable?: boolean;
}): string {
  return `<!doctype html>
<html lang="${options.locale === "pt-BR" ? "pt-BR" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.indexable ? "" : '<meta name="robots" content="noindex">\n'}<title>${escapeHtml(options.title)}</title>
<style>
${options.style.replace(/^\n+|\s+$/g, "")}
</style>
</head>
<body>
${options.body.replace(/^\n+|\s+$/g, "")}
</body>
</html>`;
}
