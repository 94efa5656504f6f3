// The Graph / Health switch: which of the two the panel shows, kept in the view state (restored on reload), and
// the Health view kept in step with the graph view's trace, step and selection. The graph view says when its
// state changes by saving it, so the Health view follows every save without the graph view knowing about it.
import type { PanelView, ViewState } from '../../engine/view-messages';
import type { GraphView } from '../graph-view';
import type { ViewHost } from '../host';
import type { Dom } from '../page';
import type { HealthView } from './health-view';
import { loadHealth } from './load';

/** A host whose setState also calls `onState` (the graph view saves its state on every change it makes). */
export function observeState(host: ViewHost, onState: (state: ViewState) => void): ViewHost {
  return {
    standalone: host.standalone,
    post: (m) => host.post(m),
    getState: () => host.getState(),
    setState(state) {
      host.setState(state);
      onState(state);
    },
  };
}

export class PanelSwitch {
  /** The Health charts, once their script has loaded (load.ts). */
  health: HealthView | undefined;
  private loading: Promise<HealthView> | undefined;

  constructor(private readonly view: GraphView, private readonly dom: Dom, private readonly host: ViewHost) {
    dom.views.graph.addEventListener('click', () => this.show('graph'));
    dom.views.health.addEventListener('click', () => this.show('health'));
    // The charts' script loads as the pointer comes to the Health button, ahead of its click: loading it any sooner,
    // unasked, made the first clicks on the graph wait for it on a busy machine.
    dom.views.health.addEventListener('pointerenter', () => void this.healthView().catch(() => undefined), { once: true });
    this.apply();
  }

  /** Shows the graph or the Health charts, and keeps the choice in the view state. */
  show(which: PanelView): void {
    this.view.state.view = which;
    this.host.setState(this.view.state);
  }

  switchView(): void {
    this.show(this.view.state.view === 'health' ? 'graph' : 'health');
  }

  /** The view's state changed (or a trace arrived): show what it says, and let the charts follow it. */
  follow(): void {
    this.health?.sync(this.view.trace, this.view.state.step, this.view.state.selected);
    this.apply();
  }

  /** The Health charts, made once their script has loaded (the first call loads it). */
  healthView(): Promise<HealthView> {
    this.loading ??= loadHealth().then(
      ({ HealthView }) => {
        const view = this.view;
        const health = new HealthView(this.dom.graph, {
          select: (node) => {
            view.select(node);
            const selected = view.selectedNode();
            if (selected !== null) view.reveal(selected);
          },
          setStep: (step) => view.setStep(step),
          revealFinding: (index) => this.host.post({ type: 'revealFinding', index }),
        });
        this.health = health;
        this.follow();
        return health;
      },
      (e: Error) => {
        this.view.status(`the Health charts could not load: ${e.message}`, 'error');
        throw e;
      },
    );
    return this.loading;
  }


  private apply(): void {
    const health = this.view.state.view === 'health';
    this.dom.root.classList.toggle('health-mode', health);
    this.dom.views.graph.setAttribute('aria-pressed', String(!health));
    this.dom.views.health.setAttribute('aria-pressed', String(health));
    // Shown before its script is here: it shows once loaded (healthView follows the state then).
    if (this.health === undefined) {
      if (health) void this.healthView().catch(() => undefined);
    } else if (health !== this.health.visible) this.health.setVisible(health);
  }
}
