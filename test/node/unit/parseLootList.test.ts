import { describe, expect, it } from "vitest";
import { maximumImportItems, parseLootList } from "../../../worker/raffle/parseLootList";

describe("/loot import's list", () => {
  it("reads name:weight with an optional xStock, separated by commas, semicolons or lines", () => {
    expect(parseLootList("Sword:10, Shield:5x3;Potion: 2 × 7\nGem:1X1")).toEqual({
      ok: true,
      items: [
        { name: "Sword", weight: 10, stock: null },
        { name: "Shield", weight: 5, stock: 3 },
        { name: "Potion", weight: 2, stock: 7 },
        { name: "Gem", weight: 1, stock: 1 },
      ],
    });
  });

  it("takes the weight after the last colon, so names may hold colons", () => {
    expect(parseLootList("Key: Level 2:4")).toEqual({
      ok: true,
      items: [{ name: "Key: Level 2", weight: 4, stock: null }],
    });
  });

  it("skips empty entries and trims names", () => {
    expect(parseLootList(" , Sword :1,,\n")).toEqual({ ok: true, items: [{ name: "Sword", weight: 1, stock: null }] });
  });

  it("points at the first entry out of range or malformed", () => {
    expect(parseLootList("Sword:1, Shield:0")).toEqual({ ok: false, position: 2, text: "Shield:0" });
    expect(parseLootList("Sword:1000001")).toEqual({ ok: false, position: 1, text: "Sword:1000001" });
    expect(parseLootList("Sword:1000000")).toMatchObject({ ok: true });
    expect(parseLootList("Sword:1x0")).toEqual({ ok: false, position: 1, text: "Sword:1x0" });
    expect(parseLootList("Sword:1x2147483648")).toMatchObject({ ok: false, position: 1 });
    expect(parseLootList("Sword:1x2147483647")).toMatchObject({ ok: true });
    expect(parseLootList("Sword")).toEqual({ ok: false, position: 1, text: "Sword" });
    expect(parseLootList(":5")).toEqual({ ok: false, position: 1, text: ":5" });
    expect(parseLootList("Sword:-1")).toMatchObject({ ok: false, position: 1 });
    expect(parseLootList(`${"a".repeat(101)}:1`)).toMatchObject({ ok: false, position: 1 });
    expect(parseLootList(`${"a".repeat(100)}:1`)).toMatchObject({ ok: true });
  });

  it(`refuses an empty list and one of more than ${maximumImportItems} items, as a whole`, () => {
    expect(parseLootList(" ,\n ")).toEqual({ ok: false, position: 0, text: " ,\n " });
    const items = Array.from({ length: maximumImportItems }, (_, index) => `Item ${index}:1`);
    expect(parseLootList(items.join(","))).toMatchObject({ ok: true });
    expect(parseLootList([...items, "One more:1"].join(","))).toMatchObject({ ok: false, position: 0 });
  });
});
