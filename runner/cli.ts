// `gradscope run FILE [--json] [--html OUT.html] [--steps all|last|N] [--timeout MS] [--memory MB] [--heap MB] [--node-limit N]`
// Exit codes: 0 success, 1 an error in the user's code (one line on stderr, starting FILE:LINE:COLUMN), 2 bad arguments.
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { formatMagnitude, formatSite, shapeText } from '../engine/format';
import { RunResult, Site, Trace, traceToJson } from '../engine/trace';
import { renderReport } from './report';
import { parseSteps, RUN_DEFAULTS, RUN_LIMITS, RunOptions } from './options';
import { runModel } from './run';

const USAGE = `usage: gradscope run FILE [--json] [--html OUT.html] [--steps all|last|N] [--timeout MS] [--memory MB] [--heap MB] [--node-limit N]

  --json          print the trace as JSON on stdout
  --html OUT      write the graph view as one self-contained HTML page
  --steps         which steps' graphs to keep: last (default), all, or the index of one step
  --timeout MS    stop the model after MS milliseconds (default ${RUN_DEFAULTS.timeoutMs})
  --memory MB     limit live tensor data to MB megabytes (default ${RUN_DEFAULTS.memoryMb})
  --heap MB       limit the model's JavaScript heap to MB megabytes (default ${RUN_DEFAULTS.heapMb})
  --node-limit N  keep at most N nodes of a graph (default ${RUN_DEFAULTS.nodeLimit})`;

interface Command {
  file: string;
  json: boolean;
  html?: string;
  options: RunOptions;
}

class UsageError extends Error {}

/** The flags that take a whole number: the option each sets and its unit. */
const NUMBER_FLAGS: Record<string, { option: keyof typeof RUN_LIMITS; unit: string }> = {
  '--timeout': { option: 'timeoutMs', unit: 'milliseconds' },
  '--memory': { option: 'memoryMb', unit: 'MB' },
  '--heap': { option: 'heapMb', unit: 'MB' },
  '--node-limit': { option: 'nodeLimit', unit: 'nodes' },
};

function wholeNumber(flag: string, value: string | undefined): number {
  const { option, unit } = NUMBER_FLAGS[flag];
  const { min, max } = RUN_LIMITS[option];
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`${flag} takes a whole number of ${unit} from ${min} to ${max}, got ${value ?? 'nothing'}`);
  }
  return n;
}

/** Why the report cannot be written to `out`, checked before the run (so a long run's trace is not lost). */
function unwritable(out: string): string | undefined {
  const stat = statSync(out, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return `--html ${out} is a directory: give the report's file name`;
  const folder = dirname(resolve(out));
  if (statSync(folder, { throwIfNoEntry: false })?.isDirectory() !== true) return `--html ${out}: the folder ${folder} does not exist`;
  try {
    accessSync(stat === undefined ? folder : out, constants.W_OK);
  } catch {
    return `--html ${out}: not allowed to write ${stat === undefined ? `in ${folder}` : 'this file'}`;
  }
  return undefined;
}

export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command !== 'run') throw new UsageError(command === undefined ? 'no command given' : `unknown command ${command}`);
  const cmd: Command = { file: '', json: false, options: {} };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    switch (arg) {
      case '--json':
        cmd.json = true;
        break;
      case '--html': {
        const out = rest[++i];
        if (out === undefined || out.startsWith('-')) throw new UsageError('--html needs an output file');
        cmd.html = out;
        break;
      }
      case '--steps': {
        const v = rest[++i];
        const steps = parseSteps(v);
        if (steps === undefined) throw new UsageError(`--steps takes all, last or a step index, got ${v ?? 'nothing'}`);
        cmd.options.steps = steps;
        break;
      }
      default:
        if (Object.hasOwn(NUMBER_FLAGS, arg)) {
          cmd.options[NUMBER_FLAGS[arg].option] = wholeNumber(arg, rest[++i]);
          break;
        }
        if (arg.startsWith('-') || cmd.file !== '') throw new UsageError(`unexpected argument ${arg}`);
        cmd.file = arg;
    }
  }
  if (cmd.file === '') throw new UsageError('no model file given');
  const why = cmd.html === undefined ? undefined : unwritable(cmd.html);
  if (why !== undefined) throw new UsageError(why);
  return cmd;
}

const where = (site: Site | null) => (site === null ? '' : formatSite({ ...site, file: relative(process.cwd(), site.file) || site.file }));

/** How long the list of parameters in the summary may get before the rest are only counted. */
const PARAMS_WIDTH = 100;

/**
 * The recorded graph's parameters by name and shape, the first few that fit on a line: what the model learns at a
 * glance, and the names the findings below use. Parameters no backward reached are not in the graph (a finding
 * names them). Those of one name and shape (a layer made in a loop) are listed once, counted. Undefined when none.
 */
export function paramsLine(trace: Trace): string | undefined {
  const params = trace.graph.nodes.filter((n) => n.kind === 'param');
  if (params.length === 0) return undefined;
  const values = params.reduce((sum, n) => sum + n.value.count, 0);
  const counts = new Map<string, number>();
  for (const n of params) {
    const text = n.name === undefined ? shapeText(n.shape) : `${n.name} ${shapeText(n.shape)}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const listed: string[] = [];
  let width = 0;
  let rest = params.length;
  for (const [text, count] of counts) {
    const item = count > 1 ? `${text} ×${count}` : text;
    if (listed.length > 0 && width + item.length > PARAMS_WIDTH) break;
    listed.push(item);
    width += item.length + 2;
    rest -= count;
  }
  return `parameters in the graph: ${params.length} (${values} values): ${listed.join(', ')}${rest > 0 ? `, … and ${rest} more` : ''}`;
}

/** " on the WebAssembly kernels", or why the run was slower than it could be. */
function kernelsText(trace: Trace): string {
  if (trace.kernels === undefined) return '';
  return trace.kernels === 'webassembly' ? ' on the WebAssembly kernels' : ' on the JavaScript kernels (WebAssembly did not load)';
}

export function summary(trace: Trace): string {
  const lines: string[] = [];
  const steps = trace.steps;
  const losses = steps.map((s) => s.loss).filter((l): l is number => l !== null);
  const file = relative(process.cwd(), trace.file);
  lines.push(`${file}: ${steps.length} step${steps.length === 1 ? '' : 's'} in ${trace.durationMs} ms${kernelsText(trace)}, graph of ${trace.graph.nodes.length} tensors and ${trace.graph.edges.length} edges`);
  if (losses.length > 0) lines.push(`loss: ${formatMagnitude(losses[0], 5)} (first) -> ${formatMagnitude(losses[losses.length - 1], 5)} (last)`);
  const params = paramsLine(trace);
  if (params !== undefined) lines.push(params);
  if (trace.graph.omitted) lines.push(`left out: ${trace.graph.omitted.nodes} nodes (${trace.graph.omitted.reason})`);
  if (trace.sampled) lines.push(`graphs kept: ${(trace.history?.length ?? 0) + 1} (${trace.sampled.reason})`);
  for (const w of trace.warnings ?? []) lines.push(`warning: ${w}`);
  lines.push(trace.findings.length === 0 ? 'no findings' : `${trace.findings.length} finding${trace.findings.length === 1 ? '' : 's'}:`);
  for (const f of trace.findings) lines.push(`  ${where(f.site)}: ${f.severity}: ${f.message}`);
  return lines.join('\n');
}

export function describeError(result: Extract<RunResult, { kind: 'error' }>): string {
  const { error } = result;
  const location = where(error.site);
  return `${location ? `${location}: ` : ''}${error.kind === 'syntax' ? 'syntax error: ' : ''}${error.message}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gradscope: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  const result = await runModel(cmd.file, cmd.options);
  if (result.kind === 'error') {
    const error = describeError(result).replace(/\n/g, ' ');
    process.stderr.write(error + '\n');
    // What ran before the error, in the report as the panel draws it, under the error.
    if (result.partial !== undefined && writeReport(cmd, result.partial, error) === false) return 2;
    return result.error.kind === 'internal' && result.error.site === null ? 2 : 1;
  }
  // The summary lists warnings; with --json (stdout is the trace) they go to stderr.
  if (cmd.json) for (const w of result.trace.warnings ?? []) process.stderr.write(`gradscope: warning: ${w}\n`);
  // The trace first: a report that still cannot be written (the disk filled up during the run) loses nothing else.
  process.stdout.write(cmd.json ? traceToJson(result.trace) + '\n' : summary(result.trace) + '\n');
  return writeReport(cmd, result.trace) === false ? 2 : 0;
}

/** Writes the --html report if asked for one (false: it could not be written, and stderr says why). */
function writeReport(cmd: Command, trace: Trace, failure?: string): boolean | undefined {
  if (cmd.html === undefined) return undefined;
  try {
    writeFileSync(cmd.html, renderReport(trace, undefined, failure));
  } catch (e) {
    process.stderr.write(`gradscope: cannot write the report ${cmd.html}: ${(e as Error).message}\n`);
    return false;
  }
  if (!cmd.json) process.stdout.write(`report: ${cmd.html}\n`);
  return true;
}
