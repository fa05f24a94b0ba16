import { readFile } from "node:fs/promises";

/**
 * Parses a `.dev.vars` (dotenv) file: `KEY=value`, `KEY="value"` (with \n, \" and \\ escapes)
 * or `KEY='value'` (literal), `export KEY=…`, blank lines and `#` comments. Enough for wrangler's
 * format without a dependency.
 */
export function parseDevVars(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key = "", rawValue = ""] = match;
    variables[key] = unquoteValue(rawValue);
  }
  return variables;
}

/** Reads and parses a `.dev.vars` file; a missing file is an empty set of variables. */
export async function readDevVars(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  return parseDevVars(text);
}

function unquoteValue(rawValue: string): string {
  const doubleQuoted = /^"((?:[^"\\]|\\.)*)"/.exec(rawValue);
  if (doubleQuoted) {
    return (doubleQuoted[1] ?? "").replace(/\\(.)/g, (_escape, character: string) =>
      character === "n" ? "\n" : character === "r" ? "\r" : character === "t" ? "\t" : character,
    );
  }
  const singleQuoted = /^'([^']*)'/.exec(rawValue);
  if (singleQuoted) return singleQuoted[1] ?? "";
  // Unquoted: a ` #` starts a comment.
  return rawValue.replace(/\s+#.*$/, "").trim();
}
