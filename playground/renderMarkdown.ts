import { type MarkdownNode, parseMarkdown } from "./markdown";

export interface RenderContext {
  /** Channel id → name, for `<#id>` mentions. */
  channelNames: ReadonlyMap<string, string>;
  locale: string;
  /** "Now" for relative timestamps: the simulated clock of `npm run dev`, not the browser's. */
  now: number;
}

/** Discord markdown as DOM nodes; text always goes in as text, never as HTML. */
export function renderMarkdown(text: string, context: RenderContext): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const node of parseMarkdown(text)) fragment.append(renderNode(node, context));
  return fragment;
}

function renderNode(node: MarkdownNode, context: RenderContext): Node {
  switch (node.kind) {
    case "text":
      return document.createTextNode(node.text);
    case "lineBreak":
      return document.createElement("br");
    case "code":
      return element("code", node.text);
    case "codeBlock": {
      const block = document.createElement("pre");
      block.append(element("code", node.text));
      return block;
    }
    case "channel":
      return element("span", `#${context.channelNames.get(node.id) ?? "unknown-channel"}`, "mention");
    case "user":
      return element("span", `@user-${node.id.slice(-4)}`, "mention");
    case "timestamp":
      return renderTimestamp(node.seconds, node.style, context);
    case "link": {
      const link = document.createElement("a");
      link.href = node.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      for (const child of node.children) link.append(renderNode(child, context));
      return link;
    }
    default: {
      const tags = { bold: "strong", italic: "em", underline: "u", strike: "s", spoiler: "span" } as const;
      const wrapper = document.createElement(tags[node.kind]);
      if (node.kind === "spoiler") wrapper.className = "spoiler";
      for (const child of node.children) wrapper.append(renderNode(child, context));
      return wrapper;
    }
  }
}

function element(tag: string, text: string, className?: string): HTMLElement {
  const created = document.createElement(tag);
  created.textContent = text;
  if (className) created.className = className;
  return created;
}

/** `<t:…:R>` as Discord shows it, in the viewer's time zone. */
function renderTimestamp(seconds: number, style: string, { locale, now }: RenderContext): HTMLElement {
  const date = new Date(seconds * 1000);
  const time = document.createElement("time");
  time.dateTime = date.toISOString();
  time.title = date.toLocaleString(locale);
  time.className = "timestamp";
  time.textContent = formatTimestamp(date, style, locale, now);
  return time;
}

export function formatTimestamp(date: Date, style: string, locale: string, now = Date.now()): string {
  switch (style) {
    case "R": {
      const minutes = Math.round((date.getTime() - now) / 60_000);
      const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
      if (Math.abs(minutes) < 60) return relative.format(minutes, "minute");
      const hours = Math.round(minutes / 60);
      if (Math.abs(hours) < 48) return relative.format(hours, "hour");
      return relative.format(Math.round(hours / 24), "day");
    }
    case "t":
      return date.toLocaleTimeString(locale, { timeStyle: "short" });
    case "T":
      return date.toLocaleTimeString(locale, { timeStyle: "medium" });
    case "d":
      return date.toLocaleDateString(locale, { dateStyle: "short" });
    case "D":
      return date.toLocaleDateString(locale, { dateStyle: "long" });
    case "F":
      return date.toLocaleString(locale, { dateStyle: "full", timeStyle: "short" });
    default:
      return date.toLocaleString(locale, { dateStyle: "long", timeStyle: "short" });
  }
}
