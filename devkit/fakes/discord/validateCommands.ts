import { z } from "zod";
import { DiscordFormErrors, type FormErrorPath } from "./DiscordFormErrors";
import { discordLocales } from "./discordLocales";

/** Discord's rule for command and option names (platform facts §1.8). */
const namePattern = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const optionTypes = { subCommand: 1, subCommandGroup: 2, string: 3, integer: 4, number: 10 } as const;
const commandTypes = { chatInput: 1, user: 2, message: 3, primaryEntryPoint: 4 } as const;
const maximumCommandsPerType: Record<number, number> = { 1: 100, 2: 15, 3: 15, 4: 1 };

const localizationsSchema = z.record(z.string(), z.string().nullable()).nullable().optional();

const choiceSchema = z.looseObject({
  name: z.string(),
  name_localizations: localizationsSchema,
  value: z.union([z.string(), z.number()]),
});

interface OptionInput {
  type: number;
  name: string;
  description: string;
  name_localizations?: Record<string, string | null> | null | undefined;
  description_localizations?: Record<string, string | null> | null | undefined;
  required?: boolean | undefined;
  autocomplete?: boolean | undefined;
  choices?: z.infer<typeof choiceSchema>[] | undefined;
  options?: OptionInput[] | undefined;
  [extra: string]: unknown;
}

const optionSchema: z.ZodType<OptionInput> = z.looseObject({
  type: z.number().int(),
  name: z.string(),
  description: z.string(),
  name_localizations: localizationsSchema,
  description_localizations: localizationsSchema,
  required: z.boolean().optional(),
  autocomplete: z.boolean().optional(),
  choices: z.array(choiceSchema).optional(),
  get options() {
    return z.array(optionSchema).optional();
  },
});

const commandSchema = z.looseObject({
  type: z.number().int().default(commandTypes.chatInput),
  name: z.string(),
  description: z.string().default(""),
  name_localizations: localizationsSchema,
  description_localizations: localizationsSchema,
  options: z.array(optionSchema).optional(),
  default_member_permissions: z.string().regex(/^\d+$/).nullable().optional(),
  dm_permission: z.boolean().nullable().optional(),
  contexts: z.array(z.number().int().min(0).max(2)).nullable().optional(),
  integration_types: z.array(z.number().int().min(0).max(1)).optional(),
  nsfw: z.boolean().optional(),
});
export type CommandInput = z.infer<typeof commandSchema>;

const commandListSchema = z.array(commandSchema);

/** Checks a bulk-overwrite body like Discord does; returns the commands or the 50035 errors. */
export function validateCommands(value: unknown): { commands: CommandInput[]; errors: DiscordFormErrors } {
  const errors = new DiscordFormErrors();
  const parsed = commandListSchema.safeParse(value);
  if (!parsed.success) {
    errors.addZodIssues(parsed.error.issues);
    return { commands: [], errors };
  }
  const commands = parsed.data;
  const seen = new Set<string>();
  const countsByType = new Map<number, number>();
  for (const [index, command] of commands.entries()) {
    const path = [index];
    if (!Object.values(commandTypes).some((type) => type === command.type))
      errors.add([...path, "type"], "ENUM_TYPE_COERCE", `Value "${command.type}" is not a valid enum value.`);
    const isChatInput = command.type === commandTypes.chatInput;
    checkName(command.name, [...path, "name"], isChatInput, errors);
    checkLocalizations(
      command.name_localizations,
      [...path, "name_localizations"],
      isChatInput ? "name" : "displayName",
      errors,
    );
    if (isChatInput) {
      checkDescription(command.description, [...path, "description"], errors);
      checkLocalizations(
        command.description_localizations,
        [...path, "description_localizations"],
        "description",
        errors,
      );
      checkOptions(command.options ?? [], [...path, "options"], 0, errors);
    } else {
      if (command.description !== "")
        errors.add(
          [...path, "description"],
          "APPLICATION_COMMAND_DESCRIPTION_INVALID",
          "Context menu commands cannot have a description",
        );
      if ((command.options ?? []).length > 0)
        errors.add(
          [...path, "options"],
          "APPLICATION_COMMAND_OPTIONS_INVALID",
          "Context menu commands cannot have options",
        );
    }
    const key = `${command.type}:${command.name}`;
    if (seen.has(key))
      errors.add([...path, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique");
    seen.add(key);
    countsByType.set(command.type, (countsByType.get(command.type) ?? 0) + 1);
  }
  for (const [type, count] of countsByType) {
    const maximum = maximumCommandsPerType[type];
    if (maximum !== undefined && count > maximum) {
      errors.add(
        [],
        "APPLICATION_COMMANDS_TOO_MANY",
        `Maximum number of application commands of type ${type} reached (${maximum})`,
      );
    }
  }
  return { commands, errors };
}

function checkName(name: string, path: FormErrorPath, mustBeLowercase: boolean, errors: DiscordFormErrors): void {
  if (name.length < 1 || name.length > 32)
    errors.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.");
  else if (mustBeLowercase ? !namePattern.test(name) || name !== name.toLowerCase() : name.trim() === "") {
    errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", `Command name is invalid`);
  }
}

function checkDescription(description: string, path: FormErrorPath, errors: DiscordFormErrors): void {
  if (description.length < 1 || description.length > 100)
    errors.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
}

function checkLocalizations(
  localizations: Record<string, string | null> | null | undefined,
  path: FormErrorPath,
  kind: "name" | "displayName" | "description",
  errors: DiscordFormErrors,
): void {
  for (const [locale, text] of Object.entries(localizations ?? {})) {
    if (!discordLocales.has(locale)) {
      errors.add([...path, locale], "ENUM_TYPE_COERCE", `Value "${locale}" is not a valid enum value.`);
      continue;
    }
    if (text === null) continue;
    if (kind === "description") checkDescription(text, [...path, locale], errors);
    else checkName(text, [...path, locale], kind === "name", errors);
  }
}

function checkOptions(options: OptionInput[], path: FormErrorPath, depth: number, errors: DiscordFormErrors): void {
  if (options.length > 25) errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  checkOptionNamesUnique(options, path, errors);
  let sawOptional = false;
  const subcommandCount = options.filter(
    (option) => option.type === optionTypes.subCommand || option.type === optionTypes.subCommandGroup,
  ).length;
  if (subcommandCount > 0 && subcommandCount !== options.length) {
    errors.add(
      path,
      "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
      "Sub-commands and sub-command groups cannot be mixed with other options",
    );
  }
  for (const [index, option] of options.entries()) {
    const optionPath = [...path, index];
    if (option.type < 1 || option.type > 11)
      errors.add([...optionPath, "type"], "ENUM_TYPE_COERCE", `Value "${option.type}" is not a valid enum value.`);
    checkName(option.name, [...optionPath, "name"], true, errors);
    checkDescription(option.description, [...optionPath, "description"], errors);
    checkLocalizations(option.name_localizations, [...optionPath, "name_localizations"], "name", errors);
    checkLocalizations(
      option.description_localizations,
      [...optionPath, "description_localizations"],
      "description",
      errors,
    );
    const isSubcommand = option.type === optionTypes.subCommand;
    const isGroup = option.type === optionTypes.subCommandGroup;
    if (isSubcommand || isGroup) {
      if (depth >= 2 || (isGroup && depth >= 1))
        errors.add([...optionPath, "type"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-commands nest too deep");
      const children = option.options ?? [];
      if (isGroup && children.some((child) => child.type !== optionTypes.subCommand)) {
        errors.add(
          [...optionPath, "options"],
          "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
          "A sub-command group holds only sub-commands",
        );
      }
      checkOptions(children, [...optionPath, "options"], depth + 1, errors);
      continue;
    }
    if (option.options !== undefined && option.options.length > 0) {
      errors.add(
        [...optionPath, "options"],
        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        "Only sub-commands and groups have options",
      );
    }
    if (option.required === true && sawOptional) {
      errors.add(
        [...optionPath, "required"],
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        "Required options must be placed before non-required options",
      );
    }
    if (option.required !== true) sawOptional = true;
    checkChoices(option, optionPath, errors);
  }
}

/** Two options may not share a name in any locale (a missing localization falls back to the default name). */
function checkOptionNamesUnique(options: OptionInput[], path: FormErrorPath, errors: DiscordFormErrors): void {
  const locales = new Set(options.flatMap((option) => Object.keys(option.name_localizations ?? {})));
  for (const locale of ["", ...locales]) {
    const owners = new Map<string, number>();
    for (const [index, option] of options.entries()) {
      const effectiveName = (locale === "" ? undefined : option.name_localizations?.[locale]) ?? option.name;
      if (owners.has(effectiveName)) {
        errors.add(
          [...path, index, "name"],
          "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
          "Option names must be unique",
        );
      }
      owners.set(effectiveName, index);
    }
  }
}

function checkChoices(option: OptionInput, path: FormErrorPath, errors: DiscordFormErrors): void {
  const choices = option.choices;
  if (choices === undefined) return;
  const takesChoices =
    option.type === optionTypes.string || option.type === optionTypes.integer || option.type === optionTypes.number;
  if (!takesChoices)
    errors.add(
      [...path, "choices"],
      "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
      "Only string, integer and number options have choices",
    );
  if (option.autocomplete === true && choices.length > 0) {
    errors.add(
      [...path, "autocomplete"],
      "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES",
      "Autocomplete cannot be set with choices",
    );
  }
  if (choices.length > 25) errors.add([...path, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  for (const [index, choice] of choices.entries()) {
    if (choice.name.length < 1 || choice.name.length > 100) {
      errors.add([...path, "choices", index, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
    }
    if (option.type === optionTypes.string && (typeof choice.value !== "string" || choice.value.length > 100)) {
      errors.add(
        [...path, "choices", index, "value"],
        "BASE_TYPE_BAD_LENGTH",
        "Must be a string of 100 or fewer in length.",
      );
    }
    if (option.type !== optionTypes.string && typeof choice.value !== "number") {
      errors.add(
        [...path, "choices", index, "value"],
        "NUMBER_TYPE_COERCE",
        `Value "${String(choice.value)}" is not a number.`,
      );
    }
  }
}
