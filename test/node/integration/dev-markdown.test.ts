import { describe, expect, test } from "vitest";
import { parseMarkdown, toPlainText } from "../../../playground/markdown";

describe("the playground's Discord markdown", () => {
  test("reads bold, italic, underline, strike, spoiler and code", () => {
    expect(parseMarkdown("**a** *b* _c_ __d__ ~~e~~ ||f|| `g`")).toEqual([
      { kind: "bold", children: [{ kind: "text", text: "a" }] },
      { kind: "text", text: " " },
      { kind: "italic", children: [{ kind: "text", text: "b" }] },
      { kind: "text", text: " " },
      { kind: "italic", children: [{ kind: "text", text: "c" }] },
      { kind: "text", text: " " },
      { kind: "underline", children: [{ kind: "text", text: "d" }] },
      { kind: "text", text: " " },
      { kind: "strike", children: [{ kind: "text", text: "e" }] },
      { kind: "text", text: " " },
      { kind: "spoiler", children: [{ kind: "text", text: "f" }] },
      { kind: "text", text: " " },
      { kind: "code", text: "g" },
    ]);
  });

  test("keeps backslash-escaped characters literal, as the Worker's escapeMarkdown writes them", () => {
    // escapeMarkdown("snake_case*star") in worker/discord/message.ts
    expect(parseMarkdown("**snake\\_case\\*star** won")).toEqual([
      { kind: "bold", children: [{ kind: "text", text: "snake_case*star" }] },
      { kind: "text", text: " won" },
    ]);
  });

  test("nests bold inside italic and leaves unclosed delimiters as text", () => {
    expect(parseMarkdown("*a **b** c*")).toEqual([
      {
        kind: "italic",
        children: [
          { kind: "text", text: "a " },
          { kind: "bold", children: [{ kind: "text", text: "b" }] },
          { kind: "text", text: " c" },
        ],
      },
    ]);
    expect(parseMarkdown("2 * 3 = 6 and **open")).toEqual([{ kind: "text", text: "2 * 3 = 6 and **open" }]);
  });

  test("does not read delimiters inside code", () => {
    expect(parseMarkdown("`a*b` and ```\nx**y\n```")).toEqual([
      { kind: "code", text: "a*b" },
      { kind: "text", text: " and " },
      { kind: "codeBlock", text: "x**y" },
    ]);
  });

  test("reads mentions, timestamps, masked links and line breaks", () => {
    expect(parseMarkdown("in <#300> by <@!42> <t:1700000000:R>\n[docs](https://example.com/a)")).toEqual([
      { kind: "text", text: "in " },
      { kind: "channel", id: "300" },
      { kind: "text", text: " by " },
      { kind: "user", id: "42" },
      { kind: "text", text: " " },
      { kind: "timestamp", seconds: 1_700_000_000, style: "R" },
      { kind: "lineBreak" },
      { kind: "link", url: "https://example.com/a", children: [{ kind: "text", text: "docs" }] },
    ]);
  });

  test("never turns a javascript: URL into a link", () => {
    expect(toPlainText(parseMarkdown("[x](javascript:alert(1))"))).toBe("[x](javascript:alert(1))");
    expect(parseMarkdown("[x](javascript:alert(1))").some((node) => node.kind === "link")).toBe(false);
  });
});
