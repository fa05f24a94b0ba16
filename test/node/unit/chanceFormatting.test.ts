import { describe, expect, it } from "vitest";
import { describeLootTable } from "../../../worker/discord/commands/loot/list";
import { formatMultiplier } from "../../../worker/discord/commands/raffle/formatMultiplier";

// How chances read: /loot list's percentages and the luck multiplier of /raffle leaderboard and status.

describe("a viewer's luck multiplier", () => {
  it("is 1 + points/100, to two decimals, in the reader's language", () => {
    expect(formatMultiplier("en-US", 0)).toBe("1×");
    expect(formatMultiplier("en-US", 50)).toBe("1.5×");
    expect(formatMultiplier("en-US", 1)).toBe("1.01×");
    expect(formatMultiplier("en-US", 0.333)).toBe("1×");
    expect(formatMultiplier("pt-BR", 125)).toBe("2,25×");
  });

  it("stops at 5×, what record_draw weighs by", () => {
    expect(formatMultiplier("en-US", 400)).toBe("5×");
    expect(formatMultiplier("en-US", 1_000_000)).toBe("5×");
  });
});

describe("/loot list's chances", () => {
  const item = (name: string, weight: number, stock: number | null = null, enabled = true) => ({
    name,
    weight,
    stock,
    enabled,
  });

  it("are weight over the weights of the items that can still be won", () => {
    const table = describeLootTable("en-US", [item("Sword", 1), item("Shield", 2), item("Gone", 7, 0)]);
    const lines = table.description?.split("\n") ?? [];
    expect(lines[0]).toContain("— 33.33% —");
    expect(lines[1]).toContain("— 66.67% —");
    expect(lines[2]).toContain("— 0% —");
    expect(table.footer?.text).toBe("2 of 3 items can still be won");
  });

  it("are written in the reader's language, and 0% for a disabled item", () => {
    const table = describeLootTable("pt-BR", [item("Espada", 1), item("Escudo", 2), item("Velho", 5, null, false)]);
    const lines = table.description?.split("\n") ?? [];
    expect(lines[0]).toContain("33,33%");
    expect(lines[2]).toContain("0%");
  });

  it("show one item as a certainty", () => {
    expect(describeLootTable("en-US", [item("Only", 1_000_000)]).description).toContain("— 100% —");
  });
});
