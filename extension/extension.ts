// Activation only wires the parts together; every registration goes into context.subscriptions.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Controller } from './controller';
import type { Findings } from './language';
import { GradientHover, RunLens } from './language';
import { GraphPanel } from './graph-panel';
import type { Runs } from './runs';

/** What the extension offers other code (its tests among them). */
export interface GradscopeApi {
  runs: Runs;
  findings: Findings;
  /** The graph panel, when there is one. */
  panel(): GraphPanel | undefined;
}

export function activate(context: vscode.ExtensionContext): GradscopeApi {
  const controller = new Controller(vscode.Uri.joinPath(context.extensionUri, 'media'));
  context.subscriptions.push(
    controller,
    ...registerCommands(controller, context.extensionUri),
    vscode.languages.registerHoverProvider({ language: 'typescript' }, new GradientHover(controller.runs)),
    vscode.languages.registerCodeLensProvider({ language: 'typescript' }, new RunLens()),
    vscode.window.registerWebviewPanelSerializer(GraphPanel.viewType, { deserializeWebviewPanel: (panel, state) => controller.restorePanel(panel, state) }),
  );
  return { runs: controller.runs, findings: controller.findings, panel: () => GraphPanel.current };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
