// Activation only wires things together: commands, the graph panel, editor features and settings. Every
// registration goes into context.subscriptions.
import * as vscode from 'vscode';
import type { Trace } from '../engine/trace';
import { renderReport } from '../runner/report';
import { Findings, GradientHover, InlineGradients, RunLens } from './language';
import { GraphPanel } from './panel';
import { RunRecord, Runs } from './runs';
import { setting } from './settings';
import { newModelFile, setupTypes } from './workspace';

/** What the extension offers other code (its tests among them). */
export interface GradscopeApi {
  runs: Runs;
  findings: Findings;
}

const isModel = (d: vscode.TextDocument | undefined): d is vscode.TextDocument => d !== undefined && (d.languageId === 'typescript' || d.fileName.endsWith('.ts'));

export function activate(context: vscode.ExtensionContext): GradscopeApi {
  const media = vscode.Uri.joinPath(context.extensionUri, 'media');
  const output = vscode.window.createOutputChannel('Gradscope');
  const runs = new Runs(output);
  const findings = new Findings();
  const inline = new InlineGradients();
  const sub = (...d: vscode.Disposable[]) => context.subscriptions.push(...d);
  sub(output, runs, findings, inline);

  const refreshInline = () => {
    for (const editor of vscode.window.visibleTextEditors) inline.refresh(editor, runs.trace(editor.document.uri.fsPath), setting('inlineGradients', false));
  };

  const document = async (uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> => {
    if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
    const active = vscode.window.activeTextEditor?.document;
    if (isModel(active)) return active;
    const shown = GraphPanel.visible?.file;
    return shown ? vscode.workspace.openTextDocument(shown) : undefined;
  };

  const showGraph = async (uri?: vscode.Uri): Promise<RunRecord | undefined> => {
    const doc = await document(uri);
    if (doc === undefined) {
      void vscode.window.showInformationMessage('Gradscope: open a TypeScript model file first (or create one with "Gradscope: New Model File").');
      return undefined;
    }
    if (!vscode.workspace.isTrusted) return runs.run(doc); // explains why nothing runs
    const panel = GraphPanel.createOrShow(media);
    panel.post({ type: 'status', kind: 'running', text: `running ${vscode.workspace.asRelativePath(doc.uri)}…` });
    return runs.run(doc);
  };

  runs.onDidRun((record) => {
    const { result } = record;
    findings.update(record.file, result.kind === 'ok' ? result.trace.findings : [], result.kind === 'error' ? result.error : undefined);
    refreshInline();
    const panel = GraphPanel.visible;
    if (result.kind === 'ok') {
      panel?.showTrace(result.trace);
      // The cursor's line is highlighted from the start, not only after the cursor next moves.
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === record.file);
      if (editor) panel?.post({ type: 'highlightLine', file: record.file, line: editor.selection.active.line + 1 });
      return;
    }
    panel?.post({ type: 'status', kind: 'error', text: `${result.error.kind === 'cancelled' ? 'stopped' : 'failed'}: ${result.error.message}` });
    if (result.error.kind !== 'cancelled') {
      void vscode.window.showErrorMessage(`Gradscope: ${result.error.message}`, 'Show Output').then((pick) => pick && output.show(true));
    }
  });

  // Graph -> editor: a picked node shows the call that made it, in the editor beside the panel.
  sub(
    GraphPanel.onMessage.event(async (message) => {
      if (message.type === 'reveal') {
        const at = new vscode.Position(message.site.line - 1, message.site.column - 1);
        const doc = await vscode.workspace.openTextDocument(message.site.file);
        const range = doc.getWordRangeAtPosition(at) ?? new vscode.Range(at, at);
        const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === message.site.file)?.viewColumn ?? vscode.ViewColumn.One;
        const editor = await vscode.window.showTextDocument(doc, { viewColumn: column });
        editor.selection = new vscode.Selection(range.end, range.start); // the call selected, the cursor at its start
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      } else if (message.type === 'export') {
        const target = await vscode.window.showSaveDialog({ filters: { [message.format.toUpperCase()]: [message.format] }, saveLabel: 'Export graph' });
        if (target === undefined) return;
        const bytes = message.format === 'png' ? Buffer.from(message.data.replace(/^data:image\/png;base64,/, ''), 'base64') : Buffer.from(message.data, 'utf8');
        await vscode.workspace.fs.writeFile(target, bytes);
      }
    }),
  );

  // Editor -> graph: the cursor's line highlights the tensors it made.
  sub(
    vscode.window.onDidChangeTextEditorSelection((e) => {
      const panel = GraphPanel.visible;
      if (panel?.file !== e.textEditor.document.uri.fsPath) return;
      panel.post({ type: 'highlightLine', file: panel.file, line: e.selections[0].active.line + 1 });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && runs.markStale(e.document) && GraphPanel.visible?.file === e.document.uri.fsPath) {
        GraphPanel.visible.post({ type: 'status', kind: 'stale', text: 'the file changed since this run (stale): save to re-run, or run Gradscope: Re-run Model' });
      }
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (setting('rerunOnSave', false) && GraphPanel.visible?.file === doc.uri.fsPath && !runs.running) void runs.run(doc);
    }),
    vscode.window.onDidChangeVisibleTextEditors(refreshInline),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('gradscope.inlineGradients') && refreshInline()),
  );

  const lastTrace = async (): Promise<Trace | undefined> => {
    const doc = await document();
    return doc && runs.trace(doc.uri.fsPath);
  };

  sub(
    vscode.commands.registerCommand('gradscope.showGraph', showGraph),
    vscode.commands.registerCommand('gradscope.rerun', () => showGraph()),
    vscode.commands.registerCommand('gradscope.stop', () => {
      if (!runs.stop()) void vscode.window.showInformationMessage('Gradscope: no model is running.');
    }),
    vscode.commands.registerCommand('gradscope.toggleInlineGradients', async () => {
      const c = vscode.workspace.getConfiguration('gradscope');
      await c.update('inlineGradients', !c.get<boolean>('inlineGradients', false), vscode.ConfigurationTarget.Global);
      refreshInline();
    }),
    vscode.commands.registerCommand('gradscope.exportReport', async () => {
      let trace = await lastTrace();
      if (trace === undefined) {
        // Never run yet: run it now, and export what that run recorded.
        const result = (await showGraph())?.result;
        trace = result?.kind === 'ok' ? result.trace : undefined;
      }
      if (trace === undefined) return;
      const target = await vscode.window.showSaveDialog({ filters: { HTML: ['html'] }, defaultUri: vscode.Uri.file(trace.file.replace(/\.ts$/, '.gradscope.html')) });
      if (target === undefined) return;
      await vscode.workspace.fs.writeFile(target, Buffer.from(renderReport(trace, media.fsPath), 'utf8'));
      void vscode.window.showInformationMessage(`Gradscope: report written to ${vscode.workspace.asRelativePath(target)}`);
    }),
    vscode.commands.registerCommand('gradscope.newModel', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (folder === undefined) return void vscode.window.showInformationMessage('Gradscope: open a folder first.');
      return newModelFile(folder, context.extensionUri);
    }),
    vscode.commands.registerCommand('gradscope.setupTypes', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (folder === undefined) return void vscode.window.showInformationMessage('Gradscope: open a folder first.');
      const tsconfig = await setupTypes(folder, context.extensionUri);
      // The TypeScript server does not always notice a new tsconfig.json for files already open: restart it.
      await vscode.commands.executeCommand('typescript.restartTsServer').then(undefined, () => undefined);
      void vscode.window.showInformationMessage(`Gradscope: "gradscope" imports now resolve to the engine's types (${vscode.workspace.asRelativePath(tsconfig)}).`);
    }),
    vscode.commands.registerCommand('gradscope.showNode', async (file: string, node: number) => {
      const panel = GraphPanel.createOrShow(media);
      const trace = runs.trace(file);
      if (trace && panel.file !== file) panel.showTrace(trace);
      panel.post({ type: 'select', node });
    }),
    vscode.languages.registerHoverProvider({ language: 'typescript' }, new GradientHover(runs)),
    vscode.languages.registerCodeLensProvider({ language: 'typescript' }, new RunLens()),
    vscode.window.registerWebviewPanelSerializer(GraphPanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const file = typeof state === 'object' && state !== null && typeof (state as { file?: unknown }).file === 'string' ? (state as { file: string }).file : undefined;
        const revived = GraphPanel.revive(panel, media, file);
        const trace = file && runs.trace(file);
        if (trace) revived.showTrace(trace);
        else if (file && vscode.workspace.isTrusted) void runs.run(await vscode.workspace.openTextDocument(file));
        else revived.post({ type: 'status', kind: 'idle', text: 'Run Gradscope: Show Gradient Graph to draw a model.' });
      },
    }),
  );
  return { runs, findings };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
