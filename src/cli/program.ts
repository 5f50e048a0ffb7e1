import { packageVersion } from '../version.js';
import { Command, CommanderError } from 'commander';
import { contextOf, createContext, type CliContext } from './context.js';
import centralityCommand from './commands/centrality.js';
import graphsCommand from './commands/graphs.js';
import influencersCommand from './commands/influencers.js';
import importCommand from './commands/import.js';
import infoCommand from './commands/info.js';
import serveCommand from './commands/serve.js';
import simulateCommand from './commands/simulate.js';
import valueCommand from './commands/value.js';
import studyCommand from './commands/study.js';
import scenarioCommand from './commands/scenario.js';
import workerCommand from './commands/worker.js';
import { EXIT_OK, exitCodeFor, formatError } from './errors.js';

/** A command file's export: add one `program.command(...)` using the shared context. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, one file each in src/cli/commands/. A new command is one import and one entry here. */
export const COMMANDS: RegisterCommand[] = [serveCommand, importCommand, graphsCommand, infoCommand, scenarioCommand, studyCommand,
  simulateCommand, centralityCommand, influencersCommand, valueCommand, workerCommand];

export function buildProgram(io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WriteStream; env?: Record<string, string | undefined> } = {}): Command {
  const program = new Command('ripple');
  const stderr = io.stderr ?? process.stderr;
  program
    .description('How far does one customer\'s voice travel, and what is it worth?')
    .version(packageVersion())
    .option('--data-dir <dir>', 'graph store directory (overrides RIPPLE_DATA_DIR)')
    .option('--workers <n>', 'worker threads (overrides RIPPLE_WORKERS; default: cores)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (io.stdout ?? process.stdout).write(s),
      writeErr: (s) => stderr.write(s),
      // Commander's own usage errors become the same single line as every other error.
      outputError: (s, write) => write(`${formatError(s.trim())}\n`),
    });
  const ctx = createContext(program, io);
  for (const register of COMMANDS) register(program, ctx);
  // Sub-commands inherit the single-line usage errors.
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Run the CLI on argv (process.argv form) and return the exit code; errors are printed as one line. */
export async function run(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WriteStream; env?: Record<string, string | undefined> } = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    // Commander has already printed its message (through outputError); everything else is printed here.
    if (!(err instanceof CommanderError)) stderr.write(`${formatError(err)}\n`);
    return exitCodeFor(err);
  } finally {
    await contextOf(program)?.close(); // the worker pool of engine commands
  }
}
