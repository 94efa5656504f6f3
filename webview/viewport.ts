// The drawing follows the panel's size: when the graph's box resizes (the panel is dragged, the Problems panel
// opens, the side panel reflows) the drawing is fitted again, until the user zooms or pans by hand. From then on
// a resize keeps the middle of what they were looking at in the middle, at their zoom, until they fit again.
import type { Core } from 'cytoscape';

/** Emitted on the Cytoscape instance by zooms the user asks for with keys (Cytoscape emits its own for the mouse). */
export const KEY_ZOOM = 'keyzoom';
/** Emitted by the overview when the user moves the view with it. */
export const OVERVIEW_PAN = 'overviewpan';

/** Zoom per 100 px of wheel (a mouse notch) and per 100 px of a pinch (a wheel event with ctrlKey). */
const WHEEL_ZOOM = 1.1;
const PINCH_ZOOM = Math.E;

/**
 * Wheel zoom at a steady rate: 10 % a mouse notch, whatever the device. Cytoscape's own handler (taken over here,
 * before the event reaches its container) zooms a mouse by about 3-5 % a notch after sampling the first few and a
 * touchpad by 10^(delta/250), which no one sensitivity setting makes right for both.
 */
export function bindWheelZoom(cy: Core, container: HTMLElement): void {
  const outer = container.parentElement ?? container;
  outer.addEventListener(
    'wheel',
    (e) => {
      if (!(e.target instanceof Node) || !container.contains(e.target)) return;
      e.preventDefault();
      e.stopPropagation();
      // Over the overview the wheel does nothing (it is not a picture to zoom, and the page must not scroll).
      if (e.deltaY === 0 || (e.target instanceof Element && e.target.closest('.minimap') !== null)) return;
      const px = e.deltaY * (e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? cy.height() : 1);
      const factor = Math.pow(e.ctrlKey ? PINCH_ZOOM : WHEEL_ZOOM, -px / 100);
      const box = container.getBoundingClientRect();
      cy.stop(true);
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: e.clientX - box.left, y: e.clientY - box.top } });
      cy.emit('scrollzoom');
    },
    { capture: true, passive: false },
  );
}

/** Tells Cytoscape whenever its container may have moved or resized (clicks land where Cytoscape thinks it is). */
export function keepContainerMeasured(cy: Core, graph: HTMLElement): void {
  // Cytoscape measures its container (size and place on the page) once and on window resizes. The container
  // also moves and resizes when the toolbar wraps or the side panel reflows in a narrow panel: clicks would
  // land off by that much. So it is told whenever the graph or anything laid out around it changes size.
  const observer = new ResizeObserver(() => cy.resize());
  for (const e of [graph, ...Array.from(graph.closest('#root')?.children ?? [])]) observer.observe(e);
  // And a press checks it once more before Cytoscape places it: the UI test saw clicks land 20 px off, with
  // Cytoscape's height of the container 20 px short of the page's, after the toolbar above changed height.
  const place = () => {
    const r = graph.getBoundingClientRect();
    return `${r.left},${r.top},${graph.clientWidth},${graph.clientHeight}`;
  };
  let measured = place();
  cy.on('resize', () => (measured = place()));
  graph.addEventListener('pointerdown', () => place() !== measured && cy.resize(), true);
}

export class ViewportKeeper {
  /** The user has zoomed or panned since the last fit. */
  private byHand = false;
  private width: number;
  private height: number;
  /** The model point at the middle of the view, as of the last pan, zoom or resize. */
  private centre = { x: 0, y: 0 };

  /** A save of the hand-made viewport is waiting for the next frame (a drag fires viewport events by the dozen). */
  private saving = false;

  /** `save` keeps where the user zoomed and panned to (undefined once the view fits itself again). */
  constructor(
    private readonly cy: Core,
    private readonly fit: () => void,
    private readonly save: (viewport: { zoom: number; x: number; y: number } | undefined) => void,
  ) {
    this.width = cy.width();
    this.height = cy.height();
    cy.on(`dragpan scrollzoom pinchzoom ${KEY_ZOOM} ${OVERVIEW_PAN}`, () => (this.byHand = true));
    // Read after every viewport change, while the size it was made for is still the one Cytoscape holds: on a
    // resize the extent is already the new one, so the old middle has to be known beforehand.
    cy.on('viewport', () => {
      this.remember();
      if (this.byHand && !this.saving) {
        this.saving = true;
        requestAnimationFrame(() => {
          this.saving = false;
          if (this.byHand) this.save({ zoom: cy.zoom(), ...cy.pan() });
        });
      }
    });
    // Cytoscape emits resize when its own observer or the view's sees the container change (and then the size it
    // reports is the new one).
    cy.on('resize', () => this.onResize());
  }

  /** The view was just fitted: resizes refit again. */
  fitted(): void {
    const was = this.byHand;
    this.byHand = false;
    this.remember();
    if (was) this.save(undefined);
  }

  /** The view was moved to what the user asked to see (a box they opened): resizes keep it, as one they panned to. */
  keep(): void {
    this.byHand = true;
    this.remember();
  }

  /** Puts back a viewport the user had made by hand (a restored view): it stays until they fit again. */
  restore(viewport: { zoom: number; x: number; y: number }): void {
    this.cy.viewport({ zoom: viewport.zoom, pan: { x: viewport.x, y: viewport.y } });
    this.byHand = true;
    this.remember();
  }

  private remember(): void {
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    this.centre = { x: (this.cy.width() / 2 - pan.x) / zoom, y: (this.cy.height() / 2 - pan.y) / zoom };
  }

  private onResize(): void {
    const width = this.cy.width();
    const height = this.cy.height();
    // Only moved (the toolbar wrapped above it), or hidden: nothing to fit.
    if ((width === this.width && height === this.height) || width === 0 || height === 0) return;
    this.width = width;
    this.height = height;
    if (!this.byHand) {
      this.fit();
      return;
    }
    const zoom = this.cy.zoom();
    this.cy.pan({ x: width / 2 - this.centre.x * zoom, y: height / 2 - this.centre.y * zoom });
  }
}
