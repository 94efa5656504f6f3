// Helpers for suites that run inside the real VS Code.
import * as vscode from 'vscode';
import type { GradscopeApi } from '../../extension/extension';

export const workspace = () => vscode.workspace.workspaceFolders![0].uri;
export const fileIn = (name: string) => vscode.Uri.joinPath(workspace(), name);

export async function api(): Promise<GradscopeApi> {
  const ext = vscode.extensions.getExtension<GradscopeApi>('gradscope.gradscope');
  if (!ext) throw new Error('the Gradscope extension is not loaded');
  return ext.isActive ? ext.exports : ext.activate();
}

export async function open(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fileIn(name));
  return vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
}

/** Waits until `check` returns something truthy (polling), or fails after `ms`. */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** 1-based line of the first line containing `text` in a workspace file. */
export async function lineOf(name: string, text: string): Promise<number> {
  const doc = await vscode.workspace.openTextDocument(fileIn(name));
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i + 1;
  throw new Error(`"${text}" not in ${name}`);
}

export function graphTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('gradscope.graph'));
}
