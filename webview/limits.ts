// Where a graph counts as big, and what counts as readable, in one place: the view, the benchmark and the tests read these names.

/**
 * Above this many drawn elements (nodes and edges) the view uses its cheaper stylesheet (no arrowheads, straight
 * edges) and, on a GPU, Cytoscape's WebGL renderer (webgl.ts).
 */
export const BIG_GRAPH_ELEMENTS = 4000;
export const isBigDrawing = (elements: number): boolean => elements > BIG_GRAPH_ELEMENTS;
/**
 * Above this many elements a drawing goes into Cytoscape a part at a time (fill.ts): what is in view first, the
 * rest between the frames that follow. Far above what a screen shows readably (a few hundred boxes).
 */
export const FILL_IN_PARTS_ELEMENTS = 10_000;

/** The smallest label font size, in graph units (constants; tensors are 11, boxes 13). */
export const SMALLEST_FONT = 11;
/** The smallest label size on screen a first view or a fit allows, in pixels. */
export const READABLE_PX = 10;
/** The zoom at which the smallest labels are READABLE_PX on screen: a fit never zooms out further. */
export const READABLE_ZOOM = READABLE_PX / SMALLEST_FONT;
/** A fit never blows a small graph up further than this. */
export const MAX_FIT_ZOOM = 1.6;
/** Space left around the graph by a fit, in pixels. */
export const FIT_MARGIN = 30;
/** Screen area per box a first view budgets (a box, its share of the gaps between layers and between neighbours). */
export const SCREEN_AREA_PER_BOX = 15_000;
