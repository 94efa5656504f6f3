// The standalone HTML report: one self-contained page with the same graph view as the extension (its script,
// stylesheet and the trace inlined), to open from disk, attach to CI logs or share.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { escapeHtml } from '../engine/format';
import { Trace, traceToJson } from '../engine/trace';

/** The built view: media/ beside this bundle's folder (out/ in the repo and in the extension). */
export const MEDIA = join(__dirname, '..', 'media');

/** The graph view's page, for the extension's webview and the report alike: the parts differ, the frame not. */
export interface ViewPage {
  csp: string;
  title: string;
  /** Stylesheet element(s). */
  style: string;
  /** Script element(s), after the root element. */
  scripts: string;
}

export function viewPageHtml(page: ViewPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${page.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
${page.style}
</head>
<body>
<div id="root"></div>
${page.scripts}
</body>
</html>
`;
}

/** A built file of the view as text to put inside its element in a page (no `</script` in it can end that early). */
export function inlineMedia(media: string, file: string): string {
  return readFileSync(join(media, file), 'utf8').replace(/<\/script/gi, '<\\/script');
}

/**
 * The report page of `trace`; `failure` (a failed run's error, as the command line prints it) is shown over the
 * graph of what ran before it, as the panel shows it.
 */
export function renderReport(trace: Trace, media = MEDIA, failure?: string): string {
  // The Health charts' script first: the view finds them already loaded (webview/health/load.ts).
  const script = ['health.js', 'webview.js'].map((f) => inlineMedia(media, f));
  const style = inlineMedia(media, 'webview.css');
  // JSON inside a script element: `<` escaped so no `</script>` in a file name or message can end it early.
  const data = traceToJson(trace).replace(/</g, '\\u003c');
  const nonce = randomBytes(16).toString('base64');
  return viewPageHtml({
    csp: `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data: blob:; worker-src blob:`,
    title: `Gradscope: ${basename(trace.file)}`,
    style: `<style nonce="${nonce}">${style}</style>`,
    scripts: [
      `<script type="application/json" id="gradscope-trace">${data}</script>`,
      failure === undefined ? '' : `<script type="application/json" id="gradscope-failure">${JSON.stringify(failure).replace(/</g, '\\u003c')}</script>`,
      ...script.map((s) => `<script nonce="${nonce}">${s}</script>`),
    ].filter((part) => part !== '').join('\n'),
  });
}
