/**
 * The part of Discord's markdown LiveLoot's messages use: **bold**, *italic* / _italic_,
 * __underline__, ~~strike~~, ||spoiler||, `code`, ```blocks```, [masked](https://links),
 * <#channel> and <@user> mentions, <t:seconds:style> timestamps, backslash escapes and line breaks.
 * Pure (no DOM), so it can be tested in Node.
 */
export type MarkdownNode =
  | { kind: "text"; text: string }
  | { kind: "bold" | "italic" | "underline" | "strike" | "spoiler"; children: MarkdownNode[] }
  | { kind: "code" | "codeBlock"; text: string }
  | { kind: "link"; url: string; children: MarkdownNode[] }
  | { kind: "channel" | "user"; id: string }
  | { kind: "timestamp"; seconds: number; style: string }
  | { kind: "lineBreak" };

type WrapperKind = "bold" | "italic" | "underline" | "strike" | "spoiler";

/** Delimiters in the order they are tried: longer ones first, so `**` is not read as two `*`. */
const wrappers: { delimiter: string; kind: WrapperKind }[] = [
  { delimiter: "**", kind: "bold" },
  { delimiter: "__", kind: "underline" },
  { delimiter: "~~", kind: "strike" },
  { delimiter: "||", kind: "spoiler" },
  { delimiter: "*", kind: "italic" },
  { delimiter: "_", kind: "italic" },
];

const escapable = /[\\*_`~|>#[\]()<:-]/;
const maskedLink = /^\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/;
const mention = /^<(#|@!?)(\d{1,20})>/;
const timestamp = /^<t:(-?\d{1,13})(?::([tTdDfFR]))?>/;

export function parseMarkdown(text: string): MarkdownNode[] {
  const nodes: MarkdownNode[] = [];
  let plain = "";
  const flush = () => {
    if (plain !== "") nodes.push({ kind: "text", text: plain });
    plain = "";
  };
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const character = text[index] ?? "";

    if (character === "\\" && escapable.test(text[index + 1] ?? "")) {
      plain += text[index + 1];
      index += 2;
      continue;
    }
    if (character === "\n") {
      flush();
      nodes.push({ kind: "lineBreak" });
      index += 1;
      continue;
    }
    if (rest.startsWith("```")) {
      const end = text.indexOf("```", index + 3);
      if (end !== -1) {
        flush();
        // A language name on the opening line is not shown.
        const body = text.slice(index + 3, end).replace(/^[A-Za-z0-9_+-]*\n/, "");
        nodes.push({ kind: "codeBlock", text: body.replace(/\n$/, "") });
        index = end + 3;
        continue;
      }
    }
    if (character === "`") {
      const end = text.indexOf("`", index + 1);
      if (end > index + 1) {
        flush();
        nodes.push({ kind: "code", text: text.slice(index + 1, end) });
        index = end + 1;
        continue;
      }
    }
    const link = maskedLink.exec(rest);
    if (link?.[1] !== undefined && link[2] !== undefined) {
      flush();
      nodes.push({ kind: "link", url: link[2], children: parseMarkdown(link[1]) });
      index += link[0].length;
      continue;
    }
    const mentioned = mention.exec(rest);
    if (mentioned?.[1] !== undefined && mentioned[2] !== undefined) {
      flush();
      nodes.push({ kind: mentioned[1] === "#" ? "channel" : "user", id: mentioned[2] });
      index += mentioned[0].length;
      continue;
    }
    const time = timestamp.exec(rest);
    if (time?.[1] !== undefined) {
      flush();
      nodes.push({ kind: "timestamp", seconds: Number(time[1]), style: time[2] ?? "f" });
      index += time[0].length;
      continue;
    }
    const wrapped = readWrapped(text, index);
    if (wrapped) {
      flush();
      nodes.push({ kind: wrapped.kind, children: parseMarkdown(wrapped.inner) });
      index = wrapped.end;
      continue;
    }
    plain += character;
    index += 1;
  }
  flush();
  return nodes;
}

/** `**inner**` and friends starting at `index`, if the delimiter is closed later on. */
function readWrapped(text: string, index: number): { kind: WrapperKind; inner: string; end: number } | undefined {
  for (const { delimiter, kind } of wrappers) {
    if (!text.startsWith(delimiter, index)) continue;
    const start = index + delimiter.length;
    const close = findClosing(text, start, delimiter);
    if (close === undefined || close === start) continue;
    return { kind, inner: text.slice(start, close), end: close + delimiter.length };
  }
  return undefined;
}

/** The next unescaped `delimiter` after `from`; a single `*` or `_` does not close on a double one. */
function findClosing(text: string, from: number, delimiter: string): number | undefined {
  let index = from;
  while (index < text.length) {
    const character = text[index];
    if (character === "\\") {
      index += 2;
      continue;
    }
    if (character === "`") {
      // Code spans are opaque: a delimiter inside one does not close anything.
      const end = text.indexOf("`", index + 1);
      if (end !== -1) {
        index = end + 1;
        continue;
      }
    }
    if (text.startsWith(delimiter, index)) {
      const isSingle = delimiter.length === 1;
      if (!isSingle || text[index + 1] !== delimiter) return index;
      // `**` inside `*…*`: skip both characters, it belongs to a nested bold.
      const nestedEnd = findClosing(text, index + 2, delimiter.repeat(2));
      index = nestedEnd === undefined ? index + 2 : nestedEnd + 2;
      continue;
    }
    index += 1;
  }
  return undefined;
}

/** The text of a node list without formatting: for titles, labels and tests. */
export function toPlainText(nodes: MarkdownNode[]): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case "text":
        case "code":
        case "codeBlock":
          return node.text;
        case "lineBreak":
          return "\n";
        case "channel":
          return `#${node.id}`;
        case "user":
          return `@${node.id}`;
        case "timestamp":
          return new Date(node.seconds * 1000).toISOString();
        default:
          return toPlainText(node.children);
      }
    })
    .join("");
}
