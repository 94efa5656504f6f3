// Where a graph counts as big, in one place: the view, the benchmark and the tests read these names.

/** Above this many tensors a step's graph is grouped by the user function that made them (a group drawn as one node). */
export const GROUP_THRESHOLD = 2000;

/** Above this many drawn elements (nodes and edges) the view uses its cheaper stylesheet (no arrowheads, straight edges). */
export const BIG_GRAPH_ELEMENTS = 4000;
