import { describe, expect, it } from "vitest";
import { validateCommands } from "../../../devkit/fakes/discord/validateCommands";
import type { CommandOptionDefinition, Invocation, Subcommand } from "../../../worker/discord/commands/CommandGroup";
import { rootSubcommandName, UserFacingError } from "../../../worker/discord/commands/CommandGroup";
import { optionType } from "../../../worker/discord/commands/commandOptions";
import { describeLimit, optionLimits } from "../../../worker/discord/commands/optionLimits";
import { commandGroups, listCommandDefinitions } from "../../../worker/discord/commands/registry";
import { englishMessages } from "../../../worker/i18n/en-US";
import { type Locale, translate } from "../../../worker/i18n/translate";

const locales: Locale[] = ["en-US", "pt-BR"];
const subcommands = commandGroups.flatMap((group) =>
  Object.values(group.subcommands).map((subcommand) => ({ group: group.name, subcommand })),
);

/** A subcommand invoked with these options; a refusal is thrown before anything reaches the app. */
async function refuse(subcommand: Subcommand, options: Invocation["options"], locale: Locale = "en-US") {
  const invocation = { locale, options } as Invocation;
  return subcommand.run(invocation).then(
    () => undefined,
    (error: unknown) => (error instanceof UserFacingError ? error : undefined),
  );
}

/** Values every option accepts, so one bad value is the only problem. */
function acceptableValues(options: CommandOptionDefinition[]): Invocation["options"] {
  const values: Invocation["options"] = {};
  for (const option of options) {
    if (option.type === optionType.integer) values[option.name] = option.min_value ?? 1;
    if (option.type === optionType.string) values[option.name] = "a";
    if (option.type === optionType.channel) values[option.name] = "100000000000000001";
    if (option.type === optionType.boolean) values[option.name] = false;
  }
  return values;
}

function findSubcommand(group: string, name: string): Subcommand {
  const subcommand = commandGroups.find((candidate) => candidate.name === group)?.subcommands[name];
  if (!subcommand) throw new Error(`no /${group} ${name}`);
  return subcommand;
}

function findOption(group: string, subcommand: string, option: string) {
  return findSubcommand(group, subcommand).definition.options?.find((candidate) => candidate.name === option);
}

describe("every slash command is declared once", () => {
  it("gives every registered subcommand a handler, and every handler a registered subcommand", () => {
    for (const group of commandGroups) {
      const registered = group.definition.options ?? [];
      const root = group.subcommands[rootSubcommandName];
      if (root) {
        // A command without subcommands (/overlay): its one handler's options are the command's.
        expect(Object.keys(group.subcommands), `/${group.name}`).toEqual([rootSubcommandName]);
        expect(registered, `/${group.name}`).toEqual(root.definition.options ?? []);
        expect(registered.every((option) => option.type !== optionType.subcommand)).toBe(true);
        continue;
      }
      expect(Object.keys(group.subcommands), `/${group.name}`).toEqual(registered.map((option) => option.name));
      for (const option of registered) {
        const subcommand = group.subcommands[option.name];
        expect(subcommand?.definition, `/${group.name} ${option.name}`).toBe(option);
        expect(typeof subcommand?.run).toBe("function");
      }
    }
  });

  it("autocompletes exactly the subcommands with an autocompleted option", () => {
    for (const { group, subcommand } of subcommands) {
      const autocompleted = (subcommand.definition.options ?? []).some((option) => option.autocomplete === true);
      expect(Boolean(subcommand.autocomplete), `/${group} ${subcommand.name}`).toBe(autocompleted);
    }
  });

  it("uses every command and option text, and localizes every name and description without placeholders", () => {
    const usedKeys = new Set<string>([
      ...commandGroups.map((group) => group.name),
      ...subcommands.map(({ subcommand }) => subcommand.key),
    ]);
    const optionNames = new Set(
      subcommands.flatMap(({ subcommand }) => (subcommand.definition.options ?? []).map((option) => option.name)),
    );
    const textKeys = Object.keys(englishMessages).flatMap((key) => {
      const match = /^command\.(.+)\.(name|description)$/.exec(key);
      return match ? [match[1] as string] : [];
    });
    for (const key of new Set(textKeys)) {
      const used = key.startsWith("option.") ? optionNames.has(key.slice("option.".length)) : usedKeys.has(key);
      expect(used, `the texts of "command.${key}" belong to no command`).toBe(true);
    }
    expect(JSON.stringify(listCommandDefinitions())).not.toMatch(/\{\w+\}/);
    const everyOption = subcommands.flatMap(({ subcommand }) => [
      subcommand.definition,
      ...(subcommand.definition.options ?? []),
    ]);
    for (const option of everyOption) {
      expect(option.name_localizations?.["pt-BR"], option.name).toBeTruthy();
      expect(option.description_localizations?.["pt-BR"], option.name).toBeTruthy();
    }
  });

  it("generates JSON that Discord's bulk overwrite accepts (the fake's validation)", () => {
    const { errors } = validateCommands(listCommandDefinitions());
    expect(errors.hasErrors(), JSON.stringify(errors)).toBe(false);
  });

  it("registers the ranges of the options module as Discord's min and max", () => {
    expect(findOption("loot", "add", "weight")).toMatchObject({ min_value: 1, max_value: 1_000_000, required: true });
    expect(findOption("loot", "add", "name")).toMatchObject({ min_length: 1, max_length: 100 });
    expect(findOption("raffle", "start", "every")).toMatchObject({ min_value: 1, max_value: 60 });
    expect(findOption("raffle", "start", "every")).not.toHaveProperty("required");
    expect(findOption("raffle", "start", "cooldown")).toMatchObject({ min_value: 0, max_value: 1440 });
    expect(findOption("raffle", "history", "page")).toMatchObject({ min_value: 1, max_value: 10_000 });
    expect(findOption("raffle", "points", "raid")).toMatchObject({ min_value: 0, max_value: 10_000 });
    // A login is at most 25 characters; the option leaves room for a leading @.
    expect(findOption("raffle", "exclude", "user")).toMatchObject({ min_length: 1, max_length: 26 });
    expect(findOption("raffle", "start", "cooldown")?.description_localizations).toEqual({
      "en-US": "Minutes before a winner can win again (0 to 1440, default 30)",
      "pt-BR": "Minutos até um ganhador poder ganhar de novo (0 a 1440, padrão 30)",
    });
    // raffles.rules holds 1 to 1000 characters (0012_provable_fairness.sql); the option is optional.
    expect(findOption("raffle", "start", "rules")).toMatchObject({ type: 3, min_length: 1, max_length: 1000 });
    expect(findOption("raffle", "start", "rules")).not.toHaveProperty("required");
    expect(findOption("raffle", "start", "rules")?.name_localizations).toEqual({ "pt-BR": "regras" });
  });

  it("declares /raffle export without options, localized", () => {
    const exportCommand = findSubcommand("raffle", "export").definition;
    expect(exportCommand).toMatchObject({ type: 1, name: "export", name_localizations: { "pt-BR": "exportar" } });
    expect(exportCommand).not.toHaveProperty("options");
  });

  it("declares /loot import with optional items text and an optional file, and /loot export without options", async () => {
    expect(findOption("loot", "import", "items")).not.toHaveProperty("required");
    const file = findOption("loot", "import", "file");
    expect(file).toMatchObject({
      type: optionType.attachment,
      name: "file",
      name_localizations: { "pt-BR": "arquivo" },
    });
    expect(file).not.toHaveProperty("required");
    const exportCommand = findSubcommand("loot", "export").definition;
    expect(exportCommand).toMatchObject({ type: 1, name: "export", name_localizations: { "pt-BR": "exportar" } });
    expect(exportCommand).not.toHaveProperty("options");
    const importCommand = findSubcommand("loot", "import");
    expect((await refuse(importCommand, { file: "not-an-id" }))?.messageKey).toBe("lootFileInvalid");
    expect((await refuse(importCommand, {}))?.messageKey).toBe("lootImportNeedsInput");
  });
});

describe("/loot codes", () => {
  it("declares an autocompleted item name, optional codes text and an optional file", async () => {
    expect(findSubcommand("loot", "codes").definition).toMatchObject({
      name: "codes",
      name_localizations: { "pt-BR": "codigos" },
    });
    expect(findOption("loot", "codes", "name")).toMatchObject({ required: true, autocomplete: true, max_length: 100 });
    expect(findOption("loot", "codes", "codes")).toMatchObject({ type: optionType.string, max_length: 6000 });
    expect(findOption("loot", "codes", "codes")).not.toHaveProperty("required");
    expect(findOption("loot", "codes", "file")).toMatchObject({ type: optionType.attachment });
    expect(findOption("loot", "codes", "file")).not.toHaveProperty("required");
    const codes = findSubcommand("loot", "codes");
    expect((await refuse(codes, { name: "Key" }))?.messageKey).toBe("lootCodesNeedInput");
    expect((await refuse(codes, { name: "Key", file: "not-an-id" }))?.messageKey).toBe("lootCodesFileType");
  });
});

/** Messages that state less than the whole range: the stock's has no useful maximum, the import's is a format. */
const statedBounds: Partial<Record<string, ("minimum" | "maximum")[]>> = {
  lootStockInvalid: ["minimum"],
  lootImportInvalid: [],
  // Blank rules are no rules, so only the maximum can be broken.
  raffleRulesInvalid: ["maximum"],
};

/** Optional text whose blank value (once trimmed) means the option was left out, not a mistake. */
const blankMeansOmitted = new Set(["rules"]);

describe("an option's schema refuses what its registered range refuses, with a message stating that range", () => {
  const bounded = subcommands.flatMap(({ group, subcommand }) =>
    (subcommand.definition.options ?? [])
      .filter((option) => option.type === optionType.integer || option.type === optionType.string)
      .map((option) => ({ label: `/${group} ${subcommand.name} ${option.name}`, subcommand, option })),
  );

  it.each(bounded)("$label", async ({ subcommand, option }) => {
    const valid = acceptableValues(subcommand.definition.options ?? []);
    const badValues =
      option.type === optionType.integer
        ? [(option.min_value ?? 0) - 1, (option.max_value ?? 0) + 1, 1.5, "ten"]
        : [...(blankMeansOmitted.has(option.name) ? [] : ["", "   "]), "x".repeat((option.max_length ?? 0) + 1), 5];
    for (const value of badValues) {
      for (const locale of locales) {
        const refusal = await refuse(subcommand, { ...valid, [option.name]: value }, locale);
        expect(refusal, `${option.name} = ${JSON.stringify(value)}`).toBeInstanceOf(UserFacingError);
        if (!refusal) continue;
        const text = translate(locale, refusal.messageKey, refusal.parameters);
        for (const bound of statedBounds[refusal.messageKey] ?? ["minimum", "maximum"]) {
          expect(text, `${refusal.messageKey} states its ${bound}`).toContain(String(refusal.parameters[bound]));
        }
      }
    }
  });

  it("states ranges as each language writes numbers", () => {
    expect(describeLimit(optionLimits.itemWeight, "en-US")).toEqual({ minimum: "1", maximum: "1,000,000" });
    expect(describeLimit(optionLimits.itemWeight, "pt-BR")).toEqual({ minimum: "1", maximum: "1.000.000" });
    expect(describeLimit(optionLimits.cooldownMinutes, "en-US")).toEqual({
      minimum: "0",
      maximum: "1440",
      default: "30",
    });
  });

  it("refuses a missing required option, or a value of the wrong type, with that option's message", async () => {
    const add = findSubcommand("loot", "add");
    expect((await refuse(add, { weight: 5 }))?.messageKey).toBe("lootNameInvalid");
    expect((await refuse(add, { name: "Sword" }))?.messageKey).toBe("lootWeightInvalid");
    expect((await refuse(findSubcommand("raffle", "start"), { luck: "yes" }))?.messageKey).toBe("invalidOptions");
    expect((await refuse(findSubcommand("raffle", "start"), { channel: "general" }))?.messageKey).toBe(
      "raffleChannelInvalid",
    );
  });
});
