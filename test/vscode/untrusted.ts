// The extension in an untrusted workspace: it activates in limited mode and runs nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunRecord } from '../../extension/runs';
import { api, graphTabs, open } from './helpers';
import { runSuites } from './mocha-entry';

export function run(): Promise<void> {
  return runSuites(() => {
    describe('Gradscope in an untrusted workspace', () => {
      it('refuses to run the model and opens no graph', async () => {
        assert.equal(vscode.workspace.isTrusted, false);
        const { runs } = await api();
        await open('linear-regression.ts');
        const record = await vscode.commands.executeCommand<RunRecord | undefined>('gradscope.showGraph');
        assert.equal(record, undefined);
        assert.equal(runs.record(vscode.window.activeTextEditor!.document.uri.fsPath), undefined);
        assert.equal(graphTabs().length, 0);
      });
    });
  });
}
