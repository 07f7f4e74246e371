/**
 * Every command-line mistake, of the root program and of each subcommand, ends the same way:
 * one line `upbit-tui: <what is wrong>`, at most a one-line hint where to read more, exit 2
 * (the README's "bad command line"). Commander prints nothing itself: its errors become
 * {@link UsageError}s, which `main` prints like every other error the user must fix.
 */
import { CommanderError, type Command, type Option } from 'commander';

import { UsageError } from '../app/errors.js';

export const USAGE_EXIT = 2;

/**
 * Commander's message in our words: no `error:` prefix, one line, a suggestion in brackets.
 * `error: option '--seed <n>' argument 'abc' is invalid. --seed must be a whole number …`
 * becomes `--seed must be a whole number … (got "abc").`
 */
export function commanderMessage(error: Pick<CommanderError, 'message'>): string {
  let text = error.message.replace(/^error:\s*/, '');
  // Its "(Did you mean --sim?)" comes on a line of its own.
  text = text.replace(/\s*\n\(Did you mean (.*)\?\)/, (_m, what: string) => ` (did you mean ${what}?)`);
  const invalid = /^option '(?<flags>[^']*)' argument '(?<value>.*)' is invalid\.\s*(?<why>.*)$/s.exec(text);
  if (invalid?.groups !== undefined) {
    const { flags = '', value = '', why = '' } = invalid.groups;
    const flag = flags.split(/[\s,]+/).find((f) => f.startsWith('--')) ?? flags;
    // Our parsers' messages mostly name the flag, often the value too: say each once.
    if (why.includes(flag) && why.includes(value)) text = why;
    else if (why.includes(flag)) text = `${why.replace(/\.$/, '')} (got ${JSON.stringify(value)}).`;
    else text = `${flag} ${JSON.stringify(value)} is invalid: ${why.replace(/^Allowed choices are/, 'allowed choices are')}`;
  }
  // `command-argument value 'BTC' is invalid for argument 'market'. "BTC" is not …`: ours says it all.
  const badArgument = /^command-argument value '(?<value>.*)' is invalid for argument '(?<name>[^']*)'\.\s*(?<why>.*)$/s.exec(text);
  if (badArgument?.groups !== undefined) {
    const { value = '', name = '', why = '' } = badArgument.groups;
    text = why.includes(value) ? why : `<${name}> ${JSON.stringify(value)} is invalid: ${why}`;
  }
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `upbit-tui` or `upbit-tui buy`: how the hint names the command. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function usageError(cmd: Command, message: string): UsageError {
  return new UsageError(`${message}\n(run ${commandPath(cmd)} --help for usage)`, USAGE_EXIT);
}

/** Optimal string alignment distance (an edit, or a swap of two neighbours, costs 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_v, i) => [i]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}

/** The commands within a few edits of `word` (as commander suggests options), nearest first. */
export function similarNames(word: string, names: readonly string[]): string[] {
  const scored = names
    .map((name) => ({ name, distance: editDistance(word.toLowerCase(), name) }))
    .filter(({ name, distance }) => distance <= 3 && (Math.max(word.length, name.length) - distance) / Math.max(word.length, name.length) > 0.4);
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best).map((s) => s.name);
}

/**
 * The root program takes no operands: a word that is not a command is a misspelt command, not
 * "too many arguments". Runs before the root's action (applyUsageErrors hooks it).
 */
function refuseUnknownCommand(program: Command, operands: readonly string[]): void {
  const names = program.commands.map((c) => c.name());
  let word = operands[0];
  if (word === undefined) return;
  // `upbit-tui help [command]`: commander offers it only to programs without an action.
  if (word === 'help') {
    const topic = operands[1];
    if (topic === undefined) program.help();
    const sub = program.commands.find((c) => c.name() === topic);
    if (sub !== undefined) sub.help();
    word = topic;
  }
  const near = similarNames(word, names);
  const help = near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : `; the commands are ${names.join(', ')}`;
  throw usageError(program, `unknown command '${word}'${help}`);
}

function takesValue(option: Option): boolean {
  return (option.required || option.optional) && !option.variadic;
}

/**
 * A value option given twice (`--total 10000 --total 20000`) is refused: commander would keep
 * the last one without a word, and for an amount that is a different order. The check wraps
 * the option's parser, which commander calls before it records the new value, so a value
 * already taken from this command line shows as the option's source being `cli`.
 */
function refuseRepeatedOptions(cmd: Command): void {
  for (const option of cmd.options.filter(takesValue)) {
    const key = option.attributeName();
    const parse = option.parseArg;
    let first = '';
    option.argParser((value: string, previous: unknown) => {
      if (cmd.getOptionValueSource(key) === 'cli') {
        throw usageError(cmd, `${option.long ?? option.flags} is given twice (${JSON.stringify(first)} and ${JSON.stringify(value)}); give it once.`);
      }
      first = value;
      return parse === undefined ? value : parse(value, previous);
    });
  }
}

/**
 * Root options typed before a subcommand's name: the ones in `passedDown` are read by it (and
 * refused when also typed after it, with a different value); any other would be silently
 * ignored, so it is refused with where it goes instead.
 */
function refuseMisplacedRootOptions(program: Command, passedDown: (sub: Command) => ReadonlySet<string>): void {
  program.hook('preAction', (_program, action) => {
    if (action === program) return;
    const allowed = passedDown(action);
    for (const option of program.options) {
      const key = option.attributeName();
      if (program.getOptionValueSource(key) !== 'cli') continue;
      const flag = option.long ?? option.flags;
      const own = action.options.find((o) => o.long === option.long);
      if (!allowed.has(key)) {
        const where = own === undefined ? `"${action.name()}" does not take it` : `put it after the command name (${commandPath(action)} ${flag} …)`;
        throw usageError(action, `${flag} before "${action.name()}" is an option of the TUI: ${where}.`);
      }
      if (own !== undefined && takesValue(own) && action.getOptionValueSource(own.attributeName()) === 'cli') {
        const before = String(program.getOptionValue(key));
        const after = String(action.getOptionValue(own.attributeName()));
        if (before !== after) throw usageError(action, `${flag} is given both before and after "${action.name()}" (${JSON.stringify(before)} and ${JSON.stringify(after)}); give it once.`);
      }
    }
  });
}

/**
 * Make every usage error of `program` and its subcommands a {@link UsageError} (exit 2, one
 * line and a hint), refuse repeated value options, and refuse root options a subcommand
 * would ignore. Call once every command is registered.
 */
export function applyUsageErrors(program: Command, passedDown: (sub: Command) => ReadonlySet<string>): void {
  // The root reads no operands: refuseUnknownCommand says what a stray word is.
  program.allowExcessArguments(true);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const cmd of all(program)) {
    // Subcommands copied the root's setting when they were made: theirs stays strict.
    if (cmd !== program) cmd.allowExcessArguments(false);
    cmd.showHelpAfterError(false);
    cmd.configureOutput({ outputError: () => undefined });
    cmd.exitOverride((error) => {
      // Help and --version end with exit 0: commander has written them, main sets the code.
      if (error.exitCode === 0) throw error;
      // A help page commander wrote to stderr for an error: nothing to add to it.
      if (error.code === 'commander.help') throw new CommanderError(USAGE_EXIT, error.code, error.message);
      throw usageError(cmd, commanderMessage(error));
    });
    refuseRepeatedOptions(cmd);
  }
  refuseMisplacedRootOptions(program, passedDown);
  program.hook('preAction', (_program, action) => {
    if (action === program) refuseUnknownCommand(program, program.args);
  });
}
