// The palette commands, each a few lines over the controller.
import * as vscode from 'vscode';
import { renderReport } from '../runner/report';
import type { Controller } from './controller';
import { setting } from './settings';
import { newModelFile, setupTypes } from './workspace';

export function registerCommands(c: Controller, extensionUri: vscode.Uri): vscode.Disposable[] {
  const withFolder = (then: (folder: vscode.Uri) => Promise<unknown>) => async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (folder === undefined) return void vscode.window.showInformationMessage('Gradscope: open a folder first.');
    return then(folder);
  };
  const command = vscode.commands.registerCommand;
  return [
    command('gradscope.showGraph', (uri?: vscode.Uri) => c.showGraph(uri)),
    command('gradscope.rerun', () => c.showGraph()),
    command('gradscope.stop', () => {
      if (!c.runs.stop()) void vscode.window.showInformationMessage('Gradscope: no model is running.');
    }),
    command('gradscope.toggleInlineGradients', async () => {
      const config = vscode.workspace.getConfiguration('gradscope');
      await config.update('inlineGradients', !setting('inlineGradients'), vscode.ConfigurationTarget.Global);
      c.refreshInline();
    }),
    command('gradscope.exportReport', async () => {
      let trace = await c.lastTrace();
      if (trace === undefined) {
        // Never run yet: run it now, and export what that run recorded.
        const result = (await c.showGraph())?.result;
        trace = result?.kind === 'ok' ? result.trace : undefined;
      }
      if (trace === undefined) return;
      const target = await vscode.window.showSaveDialog({ filters: { HTML: ['html'] }, defaultUri: vscode.Uri.file(trace.file.replace(/\.ts$/, '.gradscope.html')) });
      if (target === undefined) return;
      await vscode.workspace.fs.writeFile(target, Buffer.from(renderReport(trace, c.media.fsPath), 'utf8'));
      void vscode.window.showInformationMessage(`Gradscope: report written to ${vscode.workspace.asRelativePath(target)}`);
    }),
    command('gradscope.newModel', withFolder((folder) => newModelFile(folder, extensionUri))),
    command(
      'gradscope.setupTypes',
      withFolder(async (folder) => {
        const tsconfig = await setupTypes(folder, extensionUri);
        // The TypeScript server does not always notice a new tsconfig.json for files already open: restart it.
        await vscode.commands.executeCommand('typescript.restartTsServer').then(undefined, () => undefined);
        void vscode.window.showInformationMessage(`Gradscope: "gradscope" imports now resolve to the engine's types (${vscode.workspace.asRelativePath(tsconfig)}).`);
      }),
    ),
    command('gradscope.showNode', (file: string, node: number) => c.showNode(file, node)),
  ];
}
