// The extension in a real VS Code (code-server's workbench and Node extension host), in a trusted workspace
// holding copies of the examples and fixtures.
import * as assert from 'node:assert/strict';
import { rmSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../extension/runs';
import { api, fileIn, graphTabs, lineOf, open, until } from './helpers';
import { runSuites } from './mocha-entry';

/** Gradscope's diagnostics for a file (the TypeScript server reports its own beside them). */
const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'gradscope');

export function run(): Promise<void> {
  return runSuites(() => {
    describe('Gradscope in VS Code', () => {
      it('runs in the Node extension host', () => {
        assert.equal(typeof process.versions.node, 'string');
        assert.equal(vscode.workspace.isTrusted, true);
      });

      it('registers its commands', async () => {
        await api();
        const all = await vscode.commands.getCommands(true);
        for (const c of ['gradscope.showGraph', 'gradscope.rerun', 'gradscope.stop', 'gradscope.toggleInlineGradients', 'gradscope.exportReport', 'gradscope.newModel', 'gradscope.setupTypes']) {
          assert.ok(all.includes(c), c);
        }
      });

      it('runs the real-model examples from the palette, their graphs naming module paths', async function () {
        this.timeout(240_000);
        await api();
        const wanted: Record<string, string> = { 'cnn-digits.ts': 'conv1.weight', 'deep-mlp.ts': 'plain.layers.0.weight', 'char-gpt.ts': 'blocks.1.attn.qkv.weight' };
        for (const [file, name] of Object.entries(wanted)) {
          await open(file);
          const record = (await vscode.commands.executeCommand<RunRecord>('gradscope.showGraph'))!;
          assert.equal(record.result.kind, 'ok', `${file}: ${JSON.stringify(record.result).slice(0, 500)}`);
          if (record.result.kind !== 'ok') continue;
          const names = record.result.trace.graph.nodes.map((n) => n.name);
          assert.ok(names.includes(name), `${file} names ${name}`);
          assert.ok((record.result.trace.graph.scopes ?? []).some((s) => s.kind === 'module'), `${file} records module calls`);
          // The model worker in the extension host loads the WebAssembly kernels as the command line's does.
          assert.equal(record.result.trace.kernels, 'webassembly', file);
        }
      });

      it('Show Gradient Graph runs the active file and opens the graph beside it', async () => {
        await api();
        await open('linear-regression.ts');
        const record = (await vscode.commands.executeCommand<RunRecord>('gradscope.showGraph'))!;
        assert.equal(record.result.kind, 'ok', JSON.stringify(record.result));
        const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label} ${t.input instanceof vscode.TabInputWebview ? t.input.viewType : typeof t.input}`);
        await until(`the graph tab (tabs: ${tabs.join('; ')})`, () => graphTabs().length === 1, 5000);
        await until('the panel title to name the model', () => graphTabs()[0]?.label === 'Gradients: linear-regression.ts', 5000);
        assert.match((await api()).runs.status.text, /101 steps · loss 0\.4246/);
      });

      it('a hover on a tensor line shows the gradient of what it made, the call under the cursor first', async () => {
        const editor = await open('linear-regression.ts');
        const line = await lineOf('linear-regression.ts', 'x.matmul(params.w)');
        const text = editor.document.lineAt(line - 1).text;
        const at = new vscode.Position(line - 1, text.indexOf('add(') + 1);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, at);
        const ours = hovers.map((h) => h.contents.map((c) => (c as vscode.MarkdownString).value).join('\n')).find((v) => v.includes('gradient:'));
        assert.ok(ours, JSON.stringify(hovers.map((h) => h.contents)));
        assert.match(ours, /^\*\*x\.matmul\(params\.w\)\.add\(params\.b\)\*\* `\[100×3\]` \*add\*/);
        assert.match(ours, /gradient: norm 1\.303/);
        assert.match(ours, /\*\*x\.matmul\(params\.w\)\*\* `\[100×3\]` \*matmul\*/);
        assert.match(ours, /gradient by step: `[▁▂▃▄▅▆▇█]+`/);
        assert.match(ours, /\[Show in graph\]\(command:gradscope\.showNode\?/);
        // A parameter's line also says how far each optimizer step moved it (the update-to-data ratio) and its trend.
        const paramLine = await lineOf('linear-regression.ts', 'const params =');
        const paramAt = new vscode.Position(paramLine - 1, editor.document.lineAt(paramLine - 1).text.indexOf('randn') + 1);
        const paramHovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, paramAt);
        const param = paramHovers.map((h) => h.contents.map((c) => (c as vscode.MarkdownString).value).join('\n')).find((v) => v.includes('gradient:'));
        assert.match(param ?? '', /update \/ data: \S+ at the last step, (high|low|healthy)[^·]*· by step `[▁▂▃▄▅▆▇█]+`/);
      });

      it('puts findings in the Problems panel at the NaN origin and the unused parameter, and replaces them on the next run', async () => {
        await open('nan.ts');
        await vscode.commands.executeCommand('gradscope.showGraph');
        const nan = ours(fileIn('nan.ts'));
        const origin = nan.find((d) => d.code === 'nan-forward');
        assert.ok(origin, JSON.stringify(nan));
        assert.equal(origin.severity, vscode.DiagnosticSeverity.Error);
        assert.equal(origin.range.start.line + 1, await lineOf('nan.ts', 'prediction.log()'));
        assert.equal((await vscode.workspace.openTextDocument(fileIn('nan.ts'))).getText(origin.range), 'log');

        await open('unused-parameter.ts');
        await vscode.commands.executeCommand('gradscope.showGraph');
        const unused = ours(fileIn('unused-parameter.ts'));
        assert.deepEqual(unused.map((d) => [d.code, d.severity, d.range.start.line + 1]), [['unused-param', vscode.DiagnosticSeverity.Warning, await lineOf('unused-parameter.ts', 'const scale')]]);

        // A second run of nan.ts, now fixed, replaces its diagnostics.
        const edit = new vscode.WorkspaceEdit();
        const doc = await vscode.workspace.openTextDocument(fileIn('nan.ts'));
        const line = (await lineOf('nan.ts', 'prediction.log()')) - 1;
        edit.replace(doc.uri, doc.lineAt(line).range, '    const logPrediction = prediction.abs().add(1).log();');
        await vscode.workspace.applyEdit(edit);
        await open('nan.ts');
        await vscode.commands.executeCommand('gradscope.showGraph');
        assert.deepEqual(ours(fileIn('nan.ts')), []);
      });

      it('marks the run stale when the file changes, and re-runs on save when asked to', async () => {
        const { runs } = await api();
        const editor = await open('unused-parameter.ts');
        await vscode.commands.executeCommand('gradscope.showGraph');
        assert.doesNotMatch(runs.status.text, /stale/);
        await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// edited\n'));
        assert.match(runs.status.text, /\(stale\)$/);
        // With re-run on save off, the panel says how to update it, and does not promise a re-run on save.
        const said = () => (api().then((a) => a.panel()?.status?.text ?? ''));
        assert.match(await said(), /stale\): run Gradscope: Re-run Model/);
        await vscode.workspace.getConfiguration('gradscope').update('rerunOnSave', true, vscode.ConfigurationTarget.Global);
        try {
          await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// edited again\n'));
          assert.match(await said(), /stale\): save to re-run/);
          const before = runs.record(editor.document.uri.fsPath);
          await editor.document.save();
          const after = await until('a run after the save', () => {
            const r = runs.record(editor.document.uri.fsPath);
            return r !== before && r;
          });
          assert.equal(after.version, editor.document.version);
          assert.doesNotMatch(runs.status.text, /stale/);
        } finally {
          await vscode.workspace.getConfiguration('gradscope').update('rerunOnSave', undefined, vscode.ConfigurationTarget.Global);
        }
      });

      it('Stop terminates a running model', async () => {
        await open('infinite-loop.ts');
        const running = vscode.commands.executeCommand<RunRecord>('gradscope.showGraph');
        const { runs } = await api();
        await until('the run to start', () => runs.running);
        await new Promise((r) => setTimeout(r, 500));
        await vscode.commands.executeCommand('gradscope.stop');
        const record = (await running)!;
        assert.equal(record.result.kind, 'error');
        assert.equal(record.result.kind === 'error' && record.result.error.kind, 'cancelled');
        assert.ok(record.ms < 20_000, `${record.ms} ms`);
        assert.equal(runs.running, false);
        // Stopping is what the user asked for: the panel says so plainly, not as a failure.
        assert.deepEqual([(await api()).panel()?.status?.kind, (await api()).panel()?.status?.text], ['idle', 'run stopped']);
      });

      it('a failed run is reported in the panel with its location', async () => {
        await vscode.workspace.fs.writeFile(fileIn('fails.ts'), new TextEncoder().encode('import { randn } from "gradscope";\nexport function train() {\n  randn([2, 3]).matmul(randn([2, 3]));\n}\n'));
        await open('fails.ts');
        const record = (await vscode.commands.executeCommand<RunRecord>('gradscope.showGraph'))!;
        assert.equal(record.result.kind, 'error');
        const status = (await api()).panel()?.status;
        assert.equal(status?.kind, 'error');
        assert.match(status?.text ?? '', /fails\.ts:3:\d+: .*matmul/);
        // Under the failure, the graph of what ran before it (the two randn), not the previous model's.
        assert.equal((await api()).panel()?.file, fileIn('fails.ts').fsPath);
      });

      it('on a file that is not a TypeScript model, says so instead of re-running the previous model', async () => {
        const { runs } = await api();
        await open('linear-regression.ts');
        await vscode.commands.executeCommand('gradscope.showGraph');
        const before = runs.record(fileIn('linear-regression.ts').fsPath);
        await vscode.workspace.fs.writeFile(fileIn('notes.md'), new TextEncoder().encode('# notes\n'));
        await open('notes.md');
        const result = await vscode.commands.executeCommand<RunRecord | undefined>('gradscope.showGraph');
        assert.equal(result, undefined);
        assert.equal(runs.record(fileIn('linear-regression.ts').fsPath), before, 'the previous model did not run again');
      });

      it('takes a deleted model\'s problems out of the Problems panel, however it was deleted', async () => {
        const model = await vscode.workspace.fs.readFile(fileIn('unused-parameter.ts')); // it has a warning
        for (const [name, remove] of [
          ['unused-copy.ts', (uri: vscode.Uri) => vscode.workspace.fs.delete(uri)],
          ['unused-copy-2.ts', async (uri: vscode.Uri) => unlinkSync(uri.fsPath)], // outside VS Code, as a terminal would
          ['gone/unused-copy-3.ts', async (uri: vscode.Uri) => rmSync(dirname(uri.fsPath), { recursive: true })], // its folder
        ] as const) {
          const uri = fileIn(name);
          await vscode.workspace.fs.writeFile(uri, model);
          await open(name);
          await vscode.commands.executeCommand('gradscope.showGraph');
          await until(`problems in ${name}`, () => ours(uri).length > 0);
          await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
          await remove(uri);
          await until(`the problems of the deleted ${name} to go`, () => ours(uri).length === 0, 10_000);
        }
      });

      it('Set Up Types makes "gradscope" imports type-check: the red squiggles go away', async () => {
        // Before: the TypeScript server cannot resolve the import (this also shows it is checking the file).
        const editor = await open('linear-regression.ts');
        const tsErrors = () => vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === 'ts' && d.severity === vscode.DiagnosticSeverity.Error);
        await until('the TypeScript server to flag the unresolved import', () => tsErrors().some((d) => d.code === 2307), 60_000);
        await vscode.commands.executeCommand('gradscope.setupTypes');
        await until(`no TypeScript errors (${tsErrors().map((d) => d.message).join('; ')})`, () => tsErrors().length === 0, 60_000);
        const tsconfig = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(fileIn('tsconfig.json'))));
        assert.deepEqual(tsconfig.compilerOptions.paths.gradscope, ['./.gradscope/types/engine/index.d.ts']);
        const dts = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(fileIn(`.gradscope/types/engine/${name}.d.ts`)));
        assert.match(await dts('index'), /export \* from '\.\/factories'/);
        assert.match(await dts('methods'), /matmul\(other: Tensor\): Tensor;/);
        // The engine's internals are not part of what a model file can see.
        assert.doesNotMatch(await dts('tensor'), /passGrad|visitMark|accumulateGrad/);
      });

      it('New Model File scaffolds a model that runs', async () => {
        const editor = await vscode.commands.executeCommand<vscode.TextEditor>('gradscope.newModel');
        assert.match(editor!.document.fileName, /model(-\d+)?\.ts$/);
        const record = (await vscode.commands.executeCommand<RunRecord>('gradscope.showGraph'))!;
        assert.equal(record.result.kind, 'ok', JSON.stringify(record.result));
        assert.equal(record.result.kind === 'ok' && record.result.trace.steps.length, 100);
      });
    });
  });
}
