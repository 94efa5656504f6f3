// The drawing follows the panel's size: when the graph's box resizes (the panel is dragged, the Problems panel
// opens, the side panel reflows) the drawing is fitted again, until the user zooms or pans by hand. From then on
// a resize keeps the middle of what they were looking at in the middle, at their zoom, until they fit again.
import type { Core } from 'cytoscape';

/** Emitted on the Cytoscape instance by zooms the user asks for with keys (Cytoscape emits its own for the mouse). */
export const KEY_ZOOM = 'keyzoom';

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
    cy.on(`dragpan scrollzoom pinchzoom ${KEY_ZOOM}`, () => (this.byHand = true));
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
