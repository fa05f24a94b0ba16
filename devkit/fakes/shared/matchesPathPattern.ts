/** Matches a path against a pattern in which `*` stands for any run of characters. */
export function matchesPathPattern(path: string, pattern: string): boolean {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`).test(path);
}
