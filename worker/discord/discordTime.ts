/** A Discord timestamp tag, shown in each reader's own time zone. */
export function discordTime(milliseconds: number, style: "R" | "f" | "t" = "R"): string {
  return `<t:${Math.floor(milliseconds / 1000)}:${style}>`;
}
