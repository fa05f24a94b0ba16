/** The app's own shape of a Discord message body (content, embeds, buttons). */
export interface MessageBody {
  content?: string;
  embeds?: Embed[];
  components?: ActionRow[];
}

export interface Embed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  timestamp?: string;
  url?: string;
}

export interface ActionRow {
  type: 1;
  components: (LinkButton | ActionButton)[];
}

/** A button that sends the app a component interaction with its `custom_id` (style 2 grey, 4 red). */
export interface ActionButton {
  type: 2;
  style: 1 | 2 | 3 | 4;
  label: string;
  custom_id: string;
}

export interface LinkButton {
  type: 2;
  style: 5;
  label: string;
  url: string;
}

export const brandColor = 0x9146ff;

export function createLinkButtonRow(label: string, url: string): ActionRow {
  return { type: 1, components: [{ type: 2, style: 5, label: label.slice(0, 80), url }] };
}

/** Discord's embed limits (docs/platform-limits.md, "Discord"): longer text would make the whole post fail. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Shows user text (item names, logins) literally inside Discord markdown. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_`~|>#[\]()-]/g, (character) => `\\${character}`);
}

/**
 * Joins whole lines up to `limit` characters; when some do not fit, the last line says how many
 * were left out instead of cutting a line (and its markdown) in half.
 */
export function joinLinesWithin(lines: string[], limit: number, describeHidden: (hidden: number) => string): string {
  const all = lines.join("\n");
  if (all.length <= limit) return all;
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    const footer = describeHidden(lines.length - index);
    if (length + line.length + 1 + footer.length + 1 > limit) return [...kept, footer].join("\n");
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join("\n");
}
