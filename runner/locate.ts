// Maps positions in a bundled model back to the user's original TypeScript through the bundle's source map.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import type { CallSite } from '../engine/v8-stack-trace';
import type { RunError, Site } from '../engine/trace';
import { InstrumentedCode, unshift } from './instrument';

/** A bundled model as the worker evaluates it. */
export interface Bundle {
  /** Absolute path of the model file. */
  file: string;
  /** The name the bundle runs under: every stack frame of the user's code carries it. */
  name: string;
  code: string;
  /** The source map, JSON. */
  map: string;
  /** Where the map's relative source paths start from. */
  mapRoot: string;
  /** The calls `code` marks (runner/instrument.ts), and where it inserted text: the map is of the code before. */
  marks?: Omit<InstrumentedCode, 'code'>;
}

export class Locator {
  private readonly map: TraceMap;
  private readonly cache = new Map<number, Site | null>();
  private readonly files = new Map<string, string>();
  /** Per marked call id, its site once asked for. */
  private readonly markedSites: (Site | null | undefined)[] = [];

  constructor(private readonly bundle: Pick<Bundle, 'name' | 'map' | 'mapRoot' | 'marks'>) {
    this.map = new TraceMap(bundle.map);
  }

  /** The original position of a marked call, by its id (0, no call: null). */
  siteOfMarkedCall(id: number): Site | null {
    const known = this.markedSites[id];
    if (known !== undefined) return known;
    const marks = this.bundle.marks;
    const site = id === 0 || marks === undefined || id >= marks.functions.length ? null : this.bundleSite(marks.calls[2 * id], marks.calls[2 * id + 1], marks.functions[id]);
    this.markedSites[id] = site;
    return site;
  }

  /**
   * The original position of a captured user call. Reads only the line and column of the frame while the
   * position is known (the cache is per position in this bundle); the file and function only the first time.
   */
  siteOfCall(call: CallSite | undefined): Site | null {
    if (call === undefined) return null;
    const line = call.getLineNumber() ?? 0;
    const column = this.bundleColumn(line, call.getColumnNumber() ?? 0);
    const known = this.cache.get(line * 65536 + column);
    if (known !== undefined) return known;
    if (call.getFileName() !== this.bundle.name) return null;
    return this.bundleSite(line, column, call.getFunctionName() ?? call.getMethodName() ?? '');
  }

  /** The first of captured frames (after the engine's entry point) that is in the user's code, mapped. */
  firstUserSite(calls: readonly CallSite[]): Site | null {
    if (calls.length <= 2) return this.siteOfCall(calls[1]);
    for (let i = 1; i < calls.length; i++) if (calls[i].getFileName() === this.bundle.name) return this.siteOfCall(calls[i]);
    return null;
  }

  /**
   * The original position of a position in the running code (1-based line and column: a stack frame's), or null
   * outside the user's sources.
   */
  site(line: number, column: number, functionName = ''): Site | null {
    return this.bundleSite(line, this.bundleColumn(line, column), functionName);
  }

  /** A column of the running code as the bundle's column (they differ after text inserted to mark calls). */
  private bundleColumn(line: number, column: number): number {
    const marks = this.bundle.marks;
    return marks === undefined ? column : unshift(marks.insertions, line, column);
  }

  /**
   * The original position of a position in the bundle as esbuild wrote it (before marking its calls). One Site
   * object per position: a position always lies in the same function, so the name is cached with it.
   */
  private bundleSite(line: number, column: number, functionName: string): Site | null {
    const cacheKey = line * 65536 + column;
    let site = this.cache.get(cacheKey);
    if (site === undefined) {
      const pos = originalPositionFor(this.map, { line, column: column - 1 });
      site = pos.source === null || pos.line === null ? null : { file: this.fileOf(pos.source), line: pos.line, column: pos.column + 1, function: functionName };
      this.cache.set(cacheKey, site);
    }
    return site;
  }

  /**
   * The file a source map `sources` entry names. Entries are URLs relative to the map (esbuild percent-encodes
   * non-ASCII characters, `#`, `%` and `?`), so they are resolved and decoded as URLs, never joined as paths.
   */
  private fileOf(source: string): string {
    let file = this.files.get(source);
    if (file === undefined) this.files.set(source, (file = fileURLToPath(new URL(source, pathToFileURL(this.bundle.mapRoot + sep)))));
    return file;
  }

  /** The frames of a V8 stack string that are the user's, mapped: `{ site, text }` per frame, innermost first. */
  userFrames(stack: string): { site: Site; text: string }[] {
    const frames: { site: Site; text: string }[] = [];
    for (const line of stack.split('\n')) {
      const at = line.lastIndexOf(this.bundle.name + ':');
      if (!line.trimStart().startsWith('at ') || at < 0) continue;
      const m = /^:(\d+):(\d+)/.exec(line.slice(at + this.bundle.name.length));
      if (m === null) continue;
      const fn = /^\s*at (?:async )?([^\s(]+) \(/.exec(line)?.[1] ?? '';
      const site = this.site(Number(m[1]), Number(m[2]), fn);
      if (site !== null) frames.push({ site, text: `    at ${fn ? `${fn} (` : ''}${site.file}:${site.line}:${site.column}${fn ? ')' : ''}` });
    }
    return frames;
  }

  /**
   * What the user's code threw, located at its innermost frame in the user's sources. A value without such a
   * frame (a thrown string or object has no stack at all) is located at `lastCall` (`lastCallIs` says what it
   * is: by default the user's latest call into the engine), or else at the top of `file`, and the message says
   * that this is not where it was thrown.
   */
  thrown(e: unknown, lastCall: Site | null, file: string, lastCallIs = 'the last engine call'): RunError {
    const frames = e instanceof Error ? this.userFrames(e.stack ?? '') : [];
    const where = lastCall !== null ? lastCallIs : 'the top of the model file';
    const site = frames[0]?.site ?? lastCall ?? { file, line: 1, column: 1, function: '' };
    let message: string;
    if (e instanceof Error) {
      message = `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
      if (frames.length === 0) message += ` (no stack frame in your code: located at ${where})`;
    } else {
      const value = inspect(e, { breakLength: Infinity, depth: 2, maxArrayLength: 10, maxStringLength: 200 });
      message = `threw ${value} (not an Error, so no stack: located at ${where})`;
    }
    return { kind: 'exception', message, site, stack: frames.map((f) => f.text).join('\n') };
  }
}
