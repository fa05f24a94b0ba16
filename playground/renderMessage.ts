import type { EmbedView, MessageView } from "./playgroundApi";
import { formatTimestamp, type RenderContext, renderMarkdown } from "./renderMarkdown";

const ephemeralFlag = 64;
const linkButtonStyle = 5;

/** A Discord message: content, embeds and buttons, the way the Discord client lays them out. */
export function renderMessage(message: MessageView, context: RenderContext): HTMLElement {
  const container = document.createElement("div");
  container.className = "message";
  if (message.content !== "") {
    const content = document.createElement("div");
    content.className = "message-content";
    content.append(renderMarkdown(message.content, context));
    if (message.edited) content.append(" ", small("(edited)", "edited"));
    container.append(content);
  }
  for (const embed of message.embeds) container.append(renderEmbed(embed, context));
  for (const attachment of message.attachments) container.append(renderAttachment(attachment));
  const rows = renderComponents(message.components);
  if (rows) container.append(rows);
  if ((message.flags & ephemeralFlag) !== 0) {
    container.append(small("👁 Only you can see this message.", "ephemeral-note"));
  }
  return container;
}

function renderEmbed(embed: EmbedView, context: RenderContext): HTMLElement {
  const article = document.createElement("article");
  article.className = "embed";
  if (embed.color !== undefined) article.style.borderInlineStartColor = `#${embed.color.toString(16).padStart(6, "0")}`;
  if (embed.title !== undefined) {
    const title = document.createElement("h4");
    title.className = "embed-title";
    if (embed.url !== undefined && /^https?:\/\//.test(embed.url)) {
      const link = document.createElement("a");
      link.href = embed.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.append(renderMarkdown(embed.title, context));
      title.append(link);
    } else {
      title.append(renderMarkdown(embed.title, context));
    }
    article.append(title);
  }
  if (embed.description !== undefined) {
    const description = document.createElement("div");
    description.className = "embed-description";
    description.append(renderMarkdown(embed.description, context));
    article.append(description);
  }
  if (embed.fields && embed.fields.length > 0) {
    const fields = document.createElement("dl");
    fields.className = "embed-fields";
    for (const field of embed.fields) {
      const wrapper = document.createElement("div");
      wrapper.className = field.inline ? "embed-field inline" : "embed-field";
      const name = document.createElement("dt");
      name.append(renderMarkdown(field.name, context));
      const value = document.createElement("dd");
      value.append(renderMarkdown(field.value, context));
      wrapper.append(name, value);
      fields.append(wrapper);
    }
    article.append(fields);
  }
  const footerParts = [
    embed.footer?.text,
    embed.timestamp === undefined ? undefined : formatTimestamp(new Date(embed.timestamp), "f", context.locale),
  ].filter((part): part is string => part !== undefined && part !== "");
  if (footerParts.length > 0) article.append(small(footerParts.join(" • "), "embed-footer"));
  return article;
}

/** Action rows of buttons; link buttons open their URL in a new tab, as Discord does. */
function renderComponents(components: unknown[]): HTMLElement | undefined {
  const buttons: HTMLElement[] = [];
  for (const row of components) {
    for (const component of readChildren(row)) {
      const label = readString(component, "label") ?? "Button";
      const url = readString(component, "url");
      if (readNumber(component, "style") === linkButtonStyle && url !== undefined && /^https?:\/\//.test(url)) {
        const link = document.createElement("a");
        link.className = "button link-button";
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener";
        link.title = "Opens in a new tab";
        link.textContent = label;
        const icon = document.createElement("span");
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = " ↗";
        link.append(icon);
        buttons.push(link);
      } else {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.disabled = true;
        button.textContent = label;
        button.title = "Only link buttons work in the playground";
        buttons.push(button);
      }
    }
  }
  if (buttons.length === 0) return undefined;
  const row = document.createElement("div");
  row.className = "components";
  row.append(...buttons);
  return row;
}

function readChildren(row: unknown): unknown[] {
  if (typeof row !== "object" || row === null || !("components" in row)) return [];
  return Array.isArray(row.components) ? row.components : [];
}

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const property: unknown = Reflect.get(value, key);
  return typeof property === "string" ? property : undefined;
}

function readNumber(value: unknown, key: string): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const property: unknown = Reflect.get(value, key);
  return typeof property === "number" ? property : undefined;
}

function small(text: string, className: string): HTMLElement {
  const element = document.createElement("small");
  element.className = className;
  element.textContent = text;
  return element;
}

/** A file on the message: a download link, like Discord's file card. */
function renderAttachment(attachment: { filename: string; url: string }): HTMLElement {
  const card = document.createElement("div");
  card.className = "attachment";
  const link = document.createElement("a");
  link.href = attachment.url;
  link.download = attachment.filename;
  link.textContent = `📄 ${attachment.filename}`;
  card.append(link);
  return card;
}
