import { escapeHtml } from "./escapeHtml";

/**
 * Turns message text into safe HTML: everything is escaped first, then `backtick spans`
 * (how our i18n strings mark command names, as in Discord) become <code> elements.
 */
export function renderInlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`\n]+)`/g, "<code>$1</code>");
}
