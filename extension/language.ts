// What the editor shows from the last run of a file: hovers with the gradient of the tensors a line made,
// findings in the Problems panel, inline gradient norms, and a CodeLens to run the exported model.
import { sep } from 'node:path';
import * as vscode from 'vscode';
import type { Finding, Stats, Trace, TraceNode } from '../engine/trace';
import { formatMagnitude, nodeTitle, shapeText } from '../engine/format';
import { HEALTHY_UPDATE_RATIO, normOrNaN } from '../engine/trace';
import { ENTRY_POINTS } from '../runner/options';
import type { Runs } from './runs';

/** Nodes a line made, the one whose call is under `column` (1-based) first, then left to right. */
export function nodesAt(trace: Trace, file: string, line: number, document?: vscode.TextDocument, column?: number): TraceNode[] {
  const nodes = trace.graph.nodes.filter((n) => n.site !== null && n.site.file === file && n.site.line === line);
  const under = (n: TraceNode) => {
    if (document === undefined || column === undefined || n.site === null) return false;
    const range = document.getWordRangeAtPosition(new vscode.Position(line - 1, n.site.column - 1));
    return range !== undefined && range.start.character + 1 <= column && column <= range.end.character + 1;
  };
  return nodes.sort((a, b) => Number(under(b)) - Number(under(a)) || a.site!.column - b.site!.column || a.id - b.id);
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline of gradient norms over the steps (log scale; · where no gradient, ! where NaN/Inf). */
export function sparkline(values: readonly (number | null | undefined)[], width = 24): string {
  const step = Math.max(1, Math.ceil(values.length / width));
  const picked = values.filter((_, i) => i % step === 0 || i === values.length - 1);
  const logs = picked.map((v) => (v === null || v === undefined ? null : Number.isFinite(v) && v > 0 ? Math.log10(v) : NaN));
  const known = logs.filter((l): l is number => l !== null && !Number.isNaN(l));
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return logs.map((l) => (l === null ? '·' : Number.isNaN(l) ? '!' : BARS[hi > lo ? Math.round(((l - lo) / (hi - lo)) * 7) : 3])).join('');
}

const fmt = (v: number) => formatMagnitude(v, 4);
const statsLine = (s: Stats) => `norm ${fmt(s.norm)} · mean ${fmt(s.mean)} · min ${fmt(s.min)} · max ${fmt(s.max)}${s.nan > 0 ? ` · **${s.nan} NaN**` : ''}${s.inf > 0 ? ` · **${s.inf} Inf**` : ''}`;

/**
 * A parameter's update-to-data ratio (how far each optimizer step moved it, relative to its spread): the last step's,
 * where it sits against the healthy ~1e-3, and its trend; undefined when no step updated it.
 */
export function updateRatioLine(trace: Trace, key: string): string | undefined {
  const ratios = trace.steps.map((s) => s.health?.params[key]?.updateRatio ?? null);
  const known = ratios.filter((r): r is number => r !== null);
  if (known.length === 0) return undefined;
  const last = known[known.length - 1];
  const verdict = last > HEALTHY_UPDATE_RATIO.hi ? 'high: a smaller learning rate?' : last < HEALTHY_UPDATE_RATIO.lo ? 'low: it barely moves' : 'healthy (about 1e-3)';
  return `update / data: ${fmt(last)} at the last step, ${verdict}${known.length > 1 ? ` · by step \`${sparkline(ratios)}\`` : ''}  \n`;
}

export class GradientHover implements vscode.HoverProvider {
  constructor(private readonly runs: Runs) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const trace = this.runs.trace(document.uri.fsPath);
    if (trace === undefined) return undefined;
    const nodes = nodesAt(trace, document.uri.fsPath, position.line + 1, document, position.character + 1);
    if (nodes.length === 0) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['gradscope.showNode'] };
    for (const n of nodes.slice(0, 4)) {
      md.appendMarkdown(`**${nodeTitle(n).replace(/[\\`*_[\]]/g, '\\$&')}** \`${shapeText(n.shape)}\` *${n.kind === 'op' ? n.op : n.kind}*  \n`);
      md.appendMarkdown(`value: ${statsLine(n.value)}  \n`);
      md.appendMarkdown(n.grad ? `gradient: ${statsLine(n.grad)}  \n` : 'gradient: none reached this tensor  \n');
      if (trace.steps.length > 1) md.appendMarkdown(`gradient by step: \`${sparkline(trace.steps.map((s) => s.gradNorms[n.key]))}\`  \n`);
      const update = n.kind === 'param' ? updateRatioLine(trace, n.key) : undefined;
      if (update !== undefined) md.appendMarkdown(update);
      const args = encodeURIComponent(JSON.stringify([trace.file, n.id]));
      md.appendMarkdown(`[Show in graph](command:gradscope.showNode?${args})\n\n`);
    }
    if (nodes.length > 4) md.appendMarkdown(`…and ${nodes.length - 4} more tensors from this line\n`);
    return new vscode.Hover(md);
  }
}

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Findings and run errors as diagnostics, replaced on every run of a model. */
export class Findings implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('gradscope');
  /** For each model file, the files its last run put diagnostics in. */
  private readonly touched = new Map<string, vscode.Uri[]>();

  update(model: string, findings: readonly Finding[], error?: { message: string; site: { file: string; line: number; column: number } | null }): void {
    for (const uri of this.touched.get(model) ?? []) this.collection.delete(uri);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const add = (file: string, line: number, column: number, message: string, severity: vscode.DiagnosticSeverity, code: string) => {
      const at = new vscode.Position(Math.max(line - 1, 0), Math.max(column - 1, 0));
      // The whole call the finding points at, when the file is open; its first character otherwise.
      const open = vscode.workspace.textDocuments.find((doc) => doc.uri.fsPath === file);
      const range = open?.getWordRangeAtPosition(at) ?? new vscode.Range(at, at.translate(0, 1));
      const d = new vscode.Diagnostic(range, message, severity);
      d.source = 'gradscope';
      d.code = code;
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    };
    for (const f of findings) if (f.site) add(f.site.file, f.site.line, f.site.column, f.message, SEVERITY[f.severity], f.kind);
    if (error?.site) add(error.site.file, error.site.line, error.site.column, error.message, vscode.DiagnosticSeverity.Error, 'run-error');
    const uris: vscode.Uri[] = [];
    for (const [file, diagnostics] of byFile) {
      const uri = vscode.Uri.file(file);
      uris.push(uri);
      this.collection.set(uri, diagnostics);
    }
    this.touched.set(model, uris);
  }

  /** Drops what a deleted file (or folder) had in Problems: its own diagnostics, and those its runs put in other files. */
  forget(deleted: vscode.Uri): void {
    // A deleted folder is reported once, as the folder: everything under it goes.
    const root = deleted.fsPath;
    const under = (path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
    for (const [model, uris] of this.touched) {
      if (!under(model)) continue;
      for (const uri of uris) this.collection.delete(uri);
      this.touched.delete(model);
    }
    this.collection.forEach((uri) => under(uri.fsPath) && this.collection.delete(uri));
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** Faint gradient norms at the end of every line that made tensors. */
export class InlineGradients implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });

  refresh(editor: vscode.TextEditor, trace: Trace | undefined, enabled: boolean): void {
    if (!enabled || trace === undefined) {
      editor.setDecorations(this.type, []);
      return;
    }
    const file = editor.document.uri.fsPath;
    const lines = new Map<number, number>();
    for (const n of trace.graph.nodes) {
      if (n.site?.file !== file || n.grad === undefined) continue;
      lines.set(n.site.line, Math.max(lines.get(n.site.line) ?? 0, normOrNaN(n.grad)));
    }
    const decorations = [...lines].filter(([line]) => line <= editor.document.lineCount).map(([line, norm]) => {
      const end = editor.document.lineAt(line - 1).range.end;
      return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: `∇ ${Number.isFinite(norm) ? fmt(norm) : 'NaN/Inf'}` } } };
    });
    editor.setDecorations(this.type, decorations);
  }

  dispose(): void {
    this.type.dispose();
  }
}

/** "Run with Gradscope" above an exported function the runner calls (ENTRY_POINTS). */
export class RunLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    const pattern = /^export\s+(default\s+)?(?:async\s+)?function\b\s*(\w*)/gm;
    const entryPoints: readonly string[] = ENTRY_POINTS;
    const text = document.getText();
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      if (!entryPoints.includes(m[1] !== undefined ? 'default' : m[2])) continue;
      const at = document.positionAt(m.index);
      lenses.push(new vscode.CodeLens(new vscode.Range(at, at), { title: '$(graph) Run with Gradscope', command: 'gradscope.showGraph', arguments: [document.uri] }));
    }
    return lenses;
  }
}
