// What the extension does, in one place: run a model for the graph, and keep the panel, the Problems panel,
// the inline gradients and the editor in step with the runs and with each other. Commands and events call in.
import * as vscode from 'vscode';
import { baseName, formatSite } from '../engine/format';
import type { Trace } from '../engine/trace';
import { GraphPanel } from './graph-panel';
import { Findings, InlineGradients } from './language';
import { RunRecord, Runs } from './runs';
import { setting } from './settings';

const isModel = (d: vscode.TextDocument): boolean => d.languageId === 'typescript' || d.fileName.endsWith('.ts');
/** A file that uses the engine: a model the user may run next. */
const IMPORTS_ENGINE = /\bfrom\s*["']gradscope["']|\brequire\(\s*["']gradscope["']\s*\)/;

export class Controller implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Gradscope');
  readonly runs = new Runs(this.output);
  readonly findings = new Findings();
  private readonly inline = new InlineGradients();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);

  /** `media` holds the built view (webview.js, health.js, webview.css). */
  constructor(readonly media: vscode.Uri) {
    this.subscriptions.push(
      this.runs.onDidRun((record) => this.onRunEnded(record)),
      // Editor -> graph: the cursor's line highlights the tensors it made.
      vscode.window.onDidChangeTextEditorSelection((e) => this.highlightLine(e.textEditor)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const panel = GraphPanel.current;
        if (e.contentChanges.length > 0 && this.runs.markStale(e.document) && panel?.file === e.document.uri.fsPath) {
          const how = setting('rerunOnSave') ? 'save to re-run' : 'run Gradscope: Re-run Model to update it';
          panel.post({ type: 'status', kind: 'stale', text: `the file changed since this run (stale): ${how}` });
        }
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (setting('rerunOnSave') && GraphPanel.current?.file === doc.uri.fsPath && !this.runs.running) void this.runs.run(doc);
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshInline()),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.prepareFor(editor?.document)),
      // A deleted file takes its problems with it, whether VS Code or something else deleted it (the watcher
      // sees both).
      this.deletions,
      this.deletions.onDidDelete((uri) => this.findings.forget(uri)),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('gradscope.inlineGradients') && this.refreshInline()),
    );
    this.prepareFor(vscode.window.activeTextEditor?.document);
  }

  /** A model file came on screen: a worker starts, ready for its run. */
  private prepareFor(document: vscode.TextDocument | undefined): void {
    if (document !== undefined && isModel(document) && IMPORTS_ENGINE.test(document.getText())) this.runs.prepare();
  }

  /**
   * The model a command acts on: the one named, the active TypeScript file, or (when no file editor is active,
   * as when the graph has focus) the one the graph shows. Another kind of file in the active editor is not a model:
   * the answer says so rather than quietly running the previous one.
   */
  async modelDocument(uri?: vscode.Uri): Promise<vscode.TextDocument | string> {
    if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
    const active = vscode.window.activeTextEditor?.document;
    if (active !== undefined && isModel(active)) return active;
    if (active !== undefined && (active.uri.scheme === 'file' || active.uri.scheme === 'untitled')) {
      return `${baseName(active.fileName)} is not a TypeScript model file. Gradscope runs a .ts file that imports "gradscope": open one, or create one with "Gradscope: New Model File".`;
    }
    const shown = GraphPanel.current?.file;
    return shown ? vscode.workspace.openTextDocument(shown) : 'open a TypeScript model file first (or create one with "Gradscope: New Model File").';
  }

  /** Runs a model and shows its graph beside the editor. */
  async showGraph(uri?: vscode.Uri): Promise<RunRecord | undefined> {
    const doc = await this.modelDocument(uri);
    if (typeof doc === 'string') {
      void vscode.window.showInformationMessage(`Gradscope: ${doc}`);
      return undefined;
    }
    if (!vscode.workspace.isTrusted) return this.runs.run(doc); // explains why nothing runs
    const panel = GraphPanel.createOrShow(this.media);
    panel.post({ type: 'status', kind: 'running', text: `running ${vscode.workspace.asRelativePath(doc.uri)}…` });
    return this.runs.run(doc);
  }

  /** The last trace of the model a command acts on. */
  async lastTrace(): Promise<Trace | undefined> {
    const doc = await this.modelDocument();
    return typeof doc === 'string' ? undefined : this.runs.trace(doc.uri.fsPath);
  }

  /** Selects a node in the graph, showing that file's trace first if another one is drawn (the hover's link). */
  showNode(file: string, node: number): void {
    const panel = GraphPanel.createOrShow(this.media);
    const trace = this.runs.trace(file);
    if (trace && panel.file !== file) panel.showTrace(trace);
    panel.post({ type: 'select', node });
  }

  /** A panel VS Code restored after a reload: draw its file's trace, running it when there is none yet. */
  async restorePanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = typeof state === 'object' && state !== null ? (state as { file?: unknown }).file : undefined;
    const file = typeof saved === 'string' ? saved : undefined;
    const panel = GraphPanel.revive(webviewPanel, this.media, file);
    const trace = file && this.runs.trace(file);
    if (trace) panel.showTrace(trace);
    else if (file && vscode.workspace.isTrusted) void this.runs.run(await vscode.workspace.openTextDocument(file));
    else panel.post({ type: 'status', kind: 'idle', text: 'Run Gradscope: Show Gradient Graph to draw a model.' });
  }

  refreshInline(): void {
    for (const editor of vscode.window.visibleTextEditors) this.inline.refresh(editor, this.runs.trace(editor.document.uri.fsPath), setting('inlineGradients'));
  }

  private highlightLine(editor: vscode.TextEditor): void {
    const panel = GraphPanel.current;
    if (panel === undefined || panel.file !== editor.document.uri.fsPath) return;
    panel.post({ type: 'highlightLine', file: panel.file, line: editor.selection.active.line + 1 });
  }

  private onRunEnded(record: RunRecord): void {
    const { result } = record;
    // A failed run's findings up to the error (where NaN started, say) are shown with the error itself.
    const trace = result.kind === 'ok' ? result.trace : result.partial;
    this.findings.update(record.file, trace?.findings ?? [], result.kind === 'error' ? result.error : undefined);
    this.refreshInline();
    const panel = GraphPanel.current;
    if (result.kind === 'ok') {
      panel?.showTrace(result.trace);
      for (const warning of result.trace.warnings ?? []) void vscode.window.showWarningMessage(`Gradscope: ${warning}`);
      // The cursor's line is highlighted from the start, not only after the cursor next moves.
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === record.file);
      if (editor) this.highlightLine(editor);
      return;
    }
    const { error } = result;
    if (error.kind === 'cancelled') {
      panel?.post({ type: 'status', kind: 'idle', text: 'run stopped' });
      return;
    }
    // The graph up to the error, when the run got that far; the failure is said over it.
    if (result.partial) panel?.showTrace(result.partial);
    panel?.post({ type: 'status', kind: 'error', text: `${formatSite(error.site)}: ${error.message}` });
    void vscode.window.showErrorMessage(`Gradscope: ${error.message}`, 'Show Output').then((pick) => pick && this.output.show(true));
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    GraphPanel.current?.dispose();
    this.runs.dispose();
    this.findings.dispose();
    this.inline.dispose();
    this.output.dispose();
  }
}
