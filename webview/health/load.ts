// The Health charts' code (ECharts, half the view's script) lives in its own script, media/health.js: a graph draws
// without it, so the view loads it the first time the charts show (or the pointer comes to their button).
// The standalone report inlines it before the view's script, so there it is already here.
import type { HealthView } from './health-view';

export interface HealthModule {
  HealthView: typeof HealthView;
}

/** Where health.js leaves what it defines (health-entry.ts). */
export const HEALTH_GLOBAL = '__gradscopeHealth';

type Global = { [HEALTH_GLOBAL]?: HealthModule };

/** Where the page says (the webview's resource URL, its script being inline), or else beside the view's own script. */
const script = document.currentScript as HTMLScriptElement | null;
const source = script?.dataset.health ?? (script?.src ? new URL('health.js', script.src).href : undefined);
/** The webview's CSP admits scripts by nonce: the one the view's script was given. */
const nonce = script?.nonce ?? '';

let loading: Promise<HealthModule> | undefined;

/** The Health view's code, loaded once. */
export function loadHealth(): Promise<HealthModule> {
  loading ??= new Promise<HealthModule>((resolve, reject) => {
    const loaded = () => (globalThis as Global)[HEALTH_GLOBAL];
    const ready = loaded();
    if (ready !== undefined) return resolve(ready);
    if (source === undefined) return reject(new Error('the Health charts are not part of this page'));
    const element = document.createElement('script');
    element.nonce = nonce;
    element.src = source;
    element.onload = () => {
      const module = loaded();
      if (module === undefined) reject(new Error('health.js defined no Health view'));
      else resolve(module);
    };
    element.onerror = () => reject(new Error(`could not load ${source}`));
    document.head.append(element);
  });
  return loading;
}
