// The view takes its colours from the VS Code theme (CSS variables on the webview's body), with fallbacks for
// the standalone report, and watches for theme changes.

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast';
  background: string;
  foreground: string;
  muted: string;
  border: string;
  focus: string;
  highlight: string;
  /** A concrete font list (Cytoscape resolves no CSS variables and takes only double quotes). */
  font: string;
}

export function currentTheme(): Theme {
  const body = document.body;
  const css = getComputedStyle(body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const cls = body.classList;
  const kind = cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light') ? 'high-contrast' : cls.contains('vscode-dark') ? 'dark' : 'light';
  const dark = kind !== 'light';
  return {
    kind,
    background: v('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    foreground: v('--vscode-editor-foreground', dark ? '#d4d4d4' : '#1f1f1f'),
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#616161'),
    border: v('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    focus: v('--vscode-focusBorder', '#0090f1'),
    highlight: v('--vscode-editor-findMatchHighlightBackground', dark ? '#ea5c0055' : '#ea5c0040'),
    font: v('--vscode-editor-font-family', 'ui-monospace, Menlo, Consolas, monospace').replace(/'/g, '"'),
  };
}

/** Outside VS Code (the report), follows the system's dark setting with the same body class VS Code would set. */
export function adoptSystemTheme(): void {
  const themed = [...document.body.classList].some((c) => c.startsWith('vscode-'));
  if (!themed && typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches) document.body.classList.add('vscode-dark');
}

/** Calls `onChange` when VS Code switches theme (it changes the body's class). */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
