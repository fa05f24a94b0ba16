/** A plain-text table: the first column left-aligned, the others right-aligned (they hold numbers). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const formatRow = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [formatRow(headers), rule, ...rows.map(formatRow)].join("\n");
}

/** A number with a fixed count of decimals, for table cells. */
export function formatNumber(value: number, decimals = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatSeconds(milliseconds: number): string {
  return `${formatNumber(milliseconds / 1000, 2)} s`;
}
