// Runs model files for the editor: one run at a time per file, cancellable, with progress; remembers the last
// trace of each file for hovers, diagnostics and the graph; reports in the status bar and the output channel.
import * as vscode from 'vscode';
import type { RunResult, Trace } from '../engine/trace';
import { formatMagnitude, formatSite } from '../engine/format';
import { startBundler } from '../runner/bundle';
import { runModel } from '../runner/run';
import { runOptions } from './settings';
import { WarmWorker } from './warm-worker';

export interface RunRecord {
  file: string;
  result: RunResult;
  /** The document version the run saw; a later edit makes the trace stale. */
  version: number;
  ms: number;
}

export class Runs implements vscode.Disposable {
  private readonly last = new Map<string, RunRecord>();
  private current: { file: string; abort: AbortController } | null = null;
  private readonly changed = new vscode.EventEmitter<RunRecord>();
  private readonly warm = new WarmWorker();
  /** Fires when a run ends (with a trace or an error). */
  readonly onDidRun = this.changed.event;
  readonly status: vscode.StatusBarItem;

  constructor(private readonly output: vscode.OutputChannel) {
    this.status = vscode.window.createStatusBarItem('gradscope.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Gradscope';
    this.status.command = 'gradscope.showGraph';
  }

  trace(file: string): Trace | undefined {
    const r = this.last.get(file)?.result;
    return r?.kind === 'ok' ? r.trace : undefined;
  }

  record(file: string): RunRecord | undefined {
    return this.last.get(file);
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** Runs the document's model. The file on disk is what runs, so unsaved edits are saved first. */
  async run(document: vscode.TextDocument): Promise<RunRecord | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Gradscope runs your model file, and this workspace is not trusted. Trust the folder (Manage Workspace Trust) to record gradients.');
      return undefined;
    }
    if (document.isDirty) await document.save();
    this.stop();
    const file = document.uri.fsPath;
    const abort = new AbortController();
    this.current = { file, abort };
    const started = Date.now();
    this.status.text = '$(sync~spin) Gradscope: running…';
    this.status.show();
    this.output.appendLine(`[run] ${file}`);
    const options = runOptions();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Gradscope: running ${vscode.workspace.asRelativePath(file)}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        return runModel(file, {
          ...options,
          worker: this.warm.take(options.heapMb),
          signal: abort.signal,
          onConsole: (_, text) => this.output.append(text),
          onProgress: (steps) => progress.report({ message: `${steps} step${steps === 1 ? '' : 's'}` }),
        });
      },
    );
    if (this.current?.abort === abort) this.current = null;
    const record: RunRecord = { file, result, version: document.version, ms: Date.now() - started };
    this.last.set(file, record);
    this.report(record);
    this.changed.fire(record);
    return record;
  }

  /** Gets the next run going ahead (a worker, warm-worker.ts, and the bundler): a model file came on screen. */
  prepare(): void {
    if (!vscode.workspace.isTrusted) return;
    startBundler();
    this.warm.prepare(runOptions().heapMb);
  }

  /** Stops the running model, terminating its worker. */
  stop(): boolean {
    if (this.current === null) return false;
    this.current.abort.abort();
    this.current = null;
    return true;
  }

  private report(record: RunRecord): void {
    const { result } = record;
    if (result.kind === 'error') {
      const { error } = result;
      this.status.text = error.kind === 'cancelled' ? '$(debug-stop) Gradscope: stopped' : '$(error) Gradscope: failed';
      this.status.tooltip = `${formatSite(error.site)}: ${error.message}`;
      this.output.appendLine(`[${error.kind}] ${formatSite(error.site)}: ${error.message}`);
      if (error.stack) this.output.appendLine(error.stack);
      return;
    }
    const { trace } = result;
    const losses = trace.steps.map((s) => s.loss).filter((l): l is number => l !== null);
    const loss = losses.length > 0 ? ` · loss ${formatMagnitude(losses[losses.length - 1], 4)}` : '';
    this.status.text = `$(graph) ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'}${loss} · ${(record.ms / 1000).toFixed(1)} s`;
    this.status.tooltip = `Gradscope: ${trace.graph.nodes.length} tensors, ${trace.findings.length} findings. Click to show the graph.`;
    this.output.appendLine(`[done] ${trace.steps.length} steps, ${trace.graph.nodes.length} tensors, ${trace.findings.length} findings in ${record.ms} ms`);
    for (const warning of trace.warnings ?? []) this.output.appendLine(`[warning] ${warning}`);
  }

  /** Marks the status bar when the file changed after its last run. */
  markStale(document: vscode.TextDocument): boolean {
    const r = this.last.get(document.uri.fsPath);
    const stale = r !== undefined && document.version !== r.version;
    if (stale && !this.status.text.includes('(stale)')) this.status.text += ' (stale)';
    return stale;
  }

  dispose(): void {
    this.stop();
    this.warm.dispose();
    this.status.dispose();
    this.changed.dispose();
  }
}
