import * as z from "zod/mini";
import { localizeCommandText } from "../../i18n/commandTexts";
import {
  type CommandReply,
  type Invocation,
  type Subcommand,
  type SubcommandTextKey,
  UserFacingError,
} from "./CommandGroup";
import { type CommandOption, type OptionName, optionType } from "./commandOptions";

/** A subcommand's options by name; a name needs its texts in commandTexts (`option.<name>`). */
type OptionsByName<Options> = { [Name in keyof Options]: Name extends OptionName ? CommandOption : never };

/** What `run` receives: each option's parsed value (defaults applied, omitted optional ones undefined). */
export type ParsedOptions<Options> = {
  [Name in keyof Options]: Options[Name] extends CommandOption<infer Schema> ? z.output<Schema> : never;
};

/**
 * Declares a subcommand in one place: its texts key, its options (which give both Discord's JSON
 * and the schema that parses an interaction), what it does and, if any, its autocomplete. A bad
 * option value never reaches `run`: it becomes the option's localized message, naming its range.
 */
export function defineSubcommand<
  Key extends SubcommandTextKey,
  Options extends OptionsByName<Options> = Record<never, never>,
>(declaration: {
  key: Key;
  options?: Options;
  run(invocation: Invocation, options: ParsedOptions<Options>): Promise<CommandReply>;
  autocomplete?(invocation: Invocation): Promise<CommandReply>;
}): Subcommand<Key> {
  // Object.entries forgets the key type; OptionsByName made sure each key is an OptionName.
  const options = Object.entries(declaration.options ?? {}) as [OptionName, CommandOption][];
  const schema = z.object(Object.fromEntries(options.map(([name, option]) => [name, option.schema])));
  const texts = localizeCommandText(declaration.key);
  const jsonOptions = options.map(([name, option]) => option.describe(name));
  const { autocomplete } = declaration;
  return {
    key: declaration.key,
    name: texts.name,
    definition: { type: optionType.subcommand, ...texts, ...(jsonOptions.length > 0 ? { options: jsonOptions } : {}) },
    async run(invocation) {
      const parsed = schema.safeParse(invocation.options);
      if (!parsed.success) {
        const name = parsed.error.issues[0]?.path[0];
        const option = options.find(([optionName]) => optionName === name)?.[1];
        throw option ? option.refuse(invocation.locale) : new UserFacingError("invalidOptions");
      }
      // The schema was built from these very options, so its output is their parsed values.
      return declaration.run(invocation, parsed.data as ParsedOptions<Options>);
    },
    ...(autocomplete ? { autocomplete: (invocation: Invocation) => autocomplete(invocation) } : {}),
  };
}
