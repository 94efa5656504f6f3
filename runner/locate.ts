// Maps positions in a bundled model back to the user's original TypeScript through the bundle's source map.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CallSite } from '../engine/v8-stack-trace';
import type { Site } from '../engine/trace';

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
}

export class Locator {
  private readonly map: TraceMap;
  private readonly cache = new Map<number, Site | null>();
  private readonly files = new Map<string, string>();

  constructor(private readonly bundle: Pick<Bundle, 'name' | 'map' | 'mapRoot'>) {
    this.map = new TraceMap(bundle.map);
  }

  /**
   * The original position of a captured user call. Reads only the line and column of the frame while the
   * position is known (the cache is per position in this bundle); the file and function only the first time.
   */
  siteOfCall(call: CallSite | undefined): Site | null {
    if (call === undefined) return null;
    const line = call.getLineNumber() ?? 0;
    const column = call.getColumnNumber() ?? 0;
    const known = this.cache.get(line * 65536 + column);
    if (known !== undefined) return known;
    if (call.getFileName() !== this.bundle.name) return null;
    return this.site(line, column, call.getFunctionName() ?? call.getMethodName() ?? '');
  }

  /**
   * The original position of a bundle position (1-based line and column), or null outside the user's sources.
   * One Site object per position: a position always lies in the same function, so the name is cached with it.
   */
  site(line: number, column: number, functionName = ''): Site | null {
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
}
