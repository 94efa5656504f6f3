// The graph panel: one webview beside the editor that draws the last trace. Strict CSP, a ready handshake,
// every message from the webview validated, and a serializer so the panel comes back after a reload.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { HostMessage, isViewMessage, Trace, ViewMessage } from '../engine/trace';
import { viewPageHtml } from '../runner/report';

export class GraphPanel implements vscode.Disposable {
  static readonly viewType = 'gradscope.graph';
  private static current: GraphPanel | undefined;
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** Messages from the view, already validated. */
  static readonly onMessage = new vscode.EventEmitter<ViewMessage>();
  /** The model file whose trace is shown. */
  file: string | undefined;

  private constructor(readonly panel: vscode.WebviewPanel, private readonly media: vscode.Uri) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m), null, this.disposables);
  }

  static get visible(): GraphPanel | undefined {
    return GraphPanel.current;
  }

  /** Shows the panel beside the editor, creating it if needed. */
  static createOrShow(media: vscode.Uri): GraphPanel {
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return GraphPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(GraphPanel.viewType, 'Gradient Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [media],
    });
    GraphPanel.current = new GraphPanel(panel, media);
    return GraphPanel.current;
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, media: vscode.Uri, file: string | undefined): GraphPanel {
    GraphPanel.current?.dispose();
    GraphPanel.current = new GraphPanel(panel, media);
    GraphPanel.current.file = file;
    return GraphPanel.current;
  }

  showTrace(trace: Trace): void {
    this.file = trace.file;
    this.panel.title = `Gradients: ${trace.file.split(/[\\/]/).pop()}`;
    this.post({ type: 'trace', trace });
  }

  post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else if (message.type === 'trace') this.queue = [...this.queue.filter((m) => m.type !== 'trace'), message];
    else this.queue.push(message);
  }

  private onMessage(message: unknown): void {
    if (!isViewMessage(message)) return; // the webview is untrusted: anything malformed is dropped
    if (message.type === 'ready') {
      this.ready = true;
      for (const m of this.queue) void this.panel.webview.postMessage(m);
      this.queue = [];
    }
    GraphPanel.onMessage.fire(message);
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
      style: `<link rel="stylesheet" href="${uri('webview.css')}">`,
      scripts: `<script nonce="${nonce}" src="${uri('webview.js')}"></script>`,
    });
  }

  dispose(): void {
    if (GraphPanel.current === this) GraphPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
