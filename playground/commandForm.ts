import type { CommandDefinitionJson, CommandOptionJson, OptionInput, PlaygroundChannel } from "./playgroundApi";

/** One runnable slash command: a top-level command, or one of its sub-commands. */
export interface CommandChoice {
  /** `loot add`: the select's value. */
  key: string;
  command: string;
  subcommandGroup?: string;
  subcommand?: string;
  /** `/loot add` in the chosen locale. */
  label: string;
  description: string;
  options: CommandOptionJson[];
}

export const optionType = {
  subcommand: 1,
  subcommandGroup: 2,
  string: 3,
  integer: 4,
  boolean: 5,
  user: 6,
  channel: 7,
  role: 8,
  mentionable: 9,
  number: 10,
  attachment: 11,
} as const;

/** Flattens the registry's definitions into what a user can run, named as Discord shows them in `locale`. */
export function listCommandChoices(definitions: CommandDefinitionJson[], locale: string): CommandChoice[] {
  const choices: CommandChoice[] = [];
  for (const definition of definitions) {
    const commandName = localize(definition, locale);
    const subcommands = (definition.options ?? []).filter(
      (option) => option.type === optionType.subcommand || option.type === optionType.subcommandGroup,
    );
    if (subcommands.length === 0) {
      choices.push({
        key: definition.name,
        command: definition.name,
        label: `/${commandName}`,
        description: describe(definition, locale),
        options: definition.options ?? [],
      });
      continue;
    }
    for (const option of subcommands) {
      const nested = option.type === optionType.subcommandGroup ? (option.options ?? []) : [option];
      for (const subcommand of nested) {
        const group = option.type === optionType.subcommandGroup ? option : undefined;
        choices.push({
          key: [definition.name, group?.name, subcommand.name].filter(Boolean).join(" "),
          command: definition.name,
          ...(group ? { subcommandGroup: group.name } : {}),
          subcommand: subcommand.name,
          label: `/${[commandName, group && localize(group, locale), localize(subcommand, locale)].filter(Boolean).join(" ")}`,
          description: describe(subcommand, locale),
          options: subcommand.options ?? [],
        });
      }
    }
  }
  return choices;
}

export interface OptionFieldContext {
  locale: string;
  channels: PlaygroundChannel[];
  /** Values typed before the form was rebuilt (another locale), by option name. */
  previousValues: ReadonlyMap<string, string>;
  onAutocomplete(optionName: string, input: HTMLInputElement, list: HTMLDataListElement): void;
}

/** One labelled field per option, typed and limited like Discord's client limits them. */
export function renderOptionFields(container: HTMLElement, choice: CommandChoice, context: OptionFieldContext): void {
  container.replaceChildren();
  if (choice.options.length === 0) {
    const none = document.createElement("p");
    none.className = "hint";
    none.textContent = "This command has no options.";
    container.append(none);
    return;
  }
  for (const option of choice.options) {
    const id = `option-${option.name}`;
    const wrapper = document.createElement("div");
    wrapper.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = localize(option, context.locale);
    if (option.required) {
      const marker = document.createElement("span");
      marker.className = "required";
      marker.textContent = " (required)";
      label.append(marker);
    }
    const hint = document.createElement("small");
    hint.id = `${id}-hint`;
    hint.className = "hint";
    hint.textContent = describe(option, context.locale);
    const field = createField(option, id, context);
    field.setAttribute("aria-describedby", hint.id);
    field.dataset.optionName = option.name;
    field.dataset.optionType = String(option.type);
    const previous = context.previousValues.get(option.name);
    // A file input's value cannot be set by script; the file must be picked again.
    if (previous !== undefined && option.type !== optionType.attachment) field.value = previous;
    wrapper.append(label, field, hint);
    if (option.autocomplete && field instanceof HTMLInputElement) {
      const list = document.createElement("datalist");
      list.id = `${id}-choices`;
      field.setAttribute("list", list.id);
      field.autocomplete = "off";
      field.addEventListener("input", () => context.onAutocomplete(option.name, field, list));
      field.addEventListener("focus", () => context.onAutocomplete(option.name, field, list));
      wrapper.append(list);
    }
    container.append(wrapper);
  }
}

function createField(
  option: CommandOptionJson,
  id: string,
  context: OptionFieldContext,
): HTMLInputElement | HTMLSelectElement {
  if (option.choices && option.choices.length > 0) {
    return createSelect(
      id,
      option.required ?? false,
      option.choices.map((choice) => ({ value: String(choice.value), label: choice.name })),
    );
  }
  if (option.type === optionType.boolean) {
    return createSelect(id, option.required ?? false, [
      { value: "true", label: "True" },
      { value: "false", label: "False" },
    ]);
  }
  if (option.type === optionType.channel) {
    return createSelect(
      id,
      option.required ?? false,
      context.channels.map((channel) => ({ value: channel.id, label: `#${channel.name}` })),
    );
  }
  const input = document.createElement("input");
  input.id = id;
  input.name = option.name;
  input.required = option.required ?? false;
  if (option.type === optionType.attachment) {
    input.type = "file";
    input.accept = ".csv,.json,.txt";
    return input;
  }
  if (option.type === optionType.integer || option.type === optionType.number) {
    input.type = "number";
    input.step = option.type === optionType.integer ? "1" : "any";
    input.inputMode = option.type === optionType.integer ? "numeric" : "decimal";
    if (option.min_value !== undefined) input.min = String(option.min_value);
    if (option.max_value !== undefined) input.max = String(option.max_value);
  } else {
    input.type = "text";
    if (option.min_length !== undefined) input.minLength = option.min_length;
    if (option.max_length !== undefined) input.maxLength = option.max_length;
    if (option.type !== optionType.string) input.pattern = "\\d{1,20}";
  }
  return input;
}

function createSelect(id: string, required: boolean, entries: { value: string; label: string }[]): HTMLSelectElement {
  const select = document.createElement("select");
  select.id = id;
  select.name = id;
  select.required = required;
  const empty = document.createElement("option");
  empty.value = "";
  empty.textContent = required ? "Choose…" : "(leave out)";
  select.append(empty);
  for (const entry of entries) {
    const option = document.createElement("option");
    option.value = entry.value;
    option.textContent = entry.label;
    select.append(option);
  }
  return select;
}

/** The filled-in options, typed as Discord sends them; empty optional fields are left out; picked files are read. */
export async function readOptionInputs(container: HTMLElement): Promise<OptionInput[]> {
  const inputs: OptionInput[] = [];
  for (const field of container.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-option-name]")) {
    const name = field.dataset.optionName ?? "";
    const type = Number(field.dataset.optionType);
    if (type === optionType.attachment) {
      const file = field instanceof HTMLInputElement ? field.files?.[0] : undefined;
      if (file === undefined) continue;
      const content = await file.text();
      inputs.push({ name, type, value: file.name, file: { filename: file.name, contentType: file.type, content } });
      continue;
    }
    const text = field.value.trim();
    if (text === "") continue;
    if (type === optionType.integer) inputs.push({ name, type, value: Number.parseInt(text, 10) });
    else if (type === optionType.number) inputs.push({ name, type, value: Number.parseFloat(text) });
    else if (type === optionType.boolean) inputs.push({ name, type, value: text === "true" });
    else
      inputs.push({
        name,
        type,
        value: field instanceof HTMLInputElement && type === optionType.string ? field.value : text,
      });
  }
  return inputs;
}

/** Field values by option name, to keep them when the form is rebuilt. */
export function readFieldValues(container: HTMLElement): Map<string, string> {
  const values = new Map<string, string>();
  for (const field of container.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-option-name]")) {
    values.set(field.dataset.optionName ?? "", field.value);
  }
  return values;
}

function localize(entry: { name: string; name_localizations?: Record<string, string> }, locale: string): string {
  return entry.name_localizations?.[locale] ?? entry.name;
}

function describe(
  entry: { description: string; description_localizations?: Record<string, string> },
  locale: string,
): string {
  return entry.description_localizations?.[locale] ?? entry.description;
}
