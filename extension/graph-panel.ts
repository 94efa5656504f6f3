// The graph panel: one webview beside the editor that draws the last trace. Strict CSP, a ready handshake, and
// every message from the webview validated and handled in one switch. The webview only names what it was sent
// (a node id, a finding's index): the panel looks the place up in the trace it holds, so a compromised view
// can never make the editor open a file of its choosing.
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { baseName } from '../engine/format';
import { Site, Trace, traceToJson } from '../engine/trace';
import { HostMessage, isViewMessage, siteToReveal, ViewMessage } from '../engine/view-messages';
import { inlineMedia, viewPageHtml } from '../runner/report';

export class GraphPanel implements vscode.Disposable {
  static readonly viewType = 'gradscope.graph';
  private static instance: GraphPanel | undefined;
  /** The view has posted `ready` since it was (re)loaded: messages can go to it directly. */
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** The trace the view draws (what its ids refer to). */
  private trace: Trace | undefined;
  /** The model file whose trace is shown (known before its trace after a reload). */
  file: string | undefined;
  /** What the view's status line says now (sent again when a hidden view reloads). */
  status: Extract<HostMessage, { type: 'status' }> | undefined;

  private constructor(readonly panel: vscode.WebviewPanel, private readonly media: vscode.Uri) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m), null, this.disposables);
    // A hidden webview is unloaded (no retained context): it reloads and says `ready` again when shown.
    panel.onDidChangeViewState(() => panel.visible || (this.ready = false), null, this.disposables);
  }

  /** The panel, shown or in a background tab. */
  static get current(): GraphPanel | undefined {
    return GraphPanel.instance;
  }

  /** The panel, only when it is on screen. */
  static get visible(): GraphPanel | undefined {
    return GraphPanel.instance?.panel.visible ? GraphPanel.instance : undefined;
  }

  /** Shows the panel beside the editor, creating it if needed. */
  static createOrShow(media: vscode.Uri): GraphPanel {
    if (GraphPanel.instance) {
      GraphPanel.instance.panel.reveal(vscode.ViewColumn.Beside, true);
      return GraphPanel.instance;
    }
    const panel = vscode.window.createWebviewPanel(GraphPanel.viewType, 'Gradient Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [media],
    });
    GraphPanel.instance = new GraphPanel(panel, media);
    return GraphPanel.instance;
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, media: vscode.Uri, file: string | undefined): GraphPanel {
    GraphPanel.instance?.dispose();
    GraphPanel.instance = new GraphPanel(panel, media);
    GraphPanel.instance.file = file;
    return GraphPanel.instance;
  }

  showTrace(trace: Trace): void {
    this.trace = trace;
    this.file = trace.file;
    this.panel.title = `Gradients: ${baseName(trace.file)}`;
    this.post({ type: 'trace', json: traceToJson(trace) });
  }

  post(message: HostMessage): void {
    if (message.type === 'status') this.status = message;
    else if (message.type === 'trace') this.status = undefined;
    if (this.ready) void this.panel.webview.postMessage(message);
    // Until the view is ready, only the latest message of each kind matters (the cursor moves, runs replace runs).
    else this.queue = [...this.queue.filter((m) => m.type !== message.type), message];
  }

  /** Every message from the view. Anything malformed, or naming what the panel never sent, is dropped. */
  private async receive(raw: unknown): Promise<void> {
    if (!isViewMessage(raw)) return;
    const message: ViewMessage = raw;
    switch (message.type) {
      case 'ready':
        return this.onReady();
      case 'reveal':
      case 'revealFinding': {
        const site = siteToReveal(this.trace, message);
        if (site !== undefined) await revealSite(site);
        return;
      }
      case 'export':
        return this.saveImage(message.format, message.data);
      default: {
        const never: never = message;
        void never;
      }
    }
  }

  private onReady(): void {
    this.ready = true;
    // A reloaded view (shown again after hiding) starts empty: it gets the trace again, its state it kept itself.
    const queued = this.queue;
    this.queue = [];
    const trace = queued.find((m) => m.type === 'trace') ?? (this.trace && { type: 'trace', json: traceToJson(this.trace) });
    const status = queued.find((m) => m.type === 'status') ?? this.status;
    const rest = queued.filter((q) => q.type !== 'trace' && q.type !== 'status');
    for (const m of [trace, status, ...rest]) if (m !== undefined) void this.panel.webview.postMessage(m);
  }

  private async saveImage(format: 'png' | 'svg', data: string): Promise<void> {
    // The dialog offers a name: beside the model file and named after it (mlp.ts -> mlp-graph.svg), or in the
    // workspace folder when the panel does not know its model yet (restored after a reload, before a run).
    const name = `${this.file === undefined ? 'gradscope' : baseName(this.file).replace(/\.[cm]?[jt]sx?$/, '')}-graph.${format}`;
    const folder = this.file === undefined ? vscode.workspace.workspaceFolders?.[0]?.uri : vscode.Uri.file(dirname(this.file));
    const defaultUri = folder === undefined ? undefined : vscode.Uri.joinPath(folder, name);
    const target = await vscode.window.showSaveDialog({ filters: { [format.toUpperCase()]: [format] }, saveLabel: 'Export graph', defaultUri });
    if (target === undefined) return;
    const bytes = format === 'png' ? Buffer.from(data.replace(/^data:image\/png;base64,/, ''), 'base64') : Buffer.from(data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const uri = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.media, file)).toString();
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data: blob:`,
      'worker-src blob:',
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return viewPageHtml({
      csp,
      title: 'Gradient Graph',
      // The view's script and stylesheet come inline, with the page: a webview fetches each resource through VS Code,
      // measured in code-server at 0.2-0.8 s for the script before it could start. The Health charts' script, needed
      // later if at all, stays a resource the view loads by its URL (webview/health/load.ts).
      style: `<style nonce="${nonce}">${inlineMedia(this.media.fsPath, 'webview.css')}</style>`,
      scripts: `<script nonce="${nonce}" data-health="${uri('health.js')}">${inlineMedia(this.media.fsPath, 'webview.js')}</script>`,
    });
  }

  dispose(): void {
    if (GraphPanel.instance === this) GraphPanel.instance = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * Shows the call at `site` in the editor beside the panel: the call selected, the cursor at its start. Focus stays
 * in the panel, so the keys it offers (arrows, Enter) keep walking the graph and never edit the user's code.
 */
export async function revealSite(site: Site): Promise<void> {
  const at = new vscode.Position(site.line - 1, site.column - 1);
  const doc = await vscode.workspace.openTextDocument(site.file);
  const range = doc.getWordRangeAtPosition(at) ?? new vscode.Range(at, at);
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === site.file)?.viewColumn ?? vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: true });
  editor.selection = new vscode.Selection(range.end, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
