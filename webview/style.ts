// The Cytoscape stylesheet. Op kinds are data selectors; UI state (selected, linked to the editor line, dimmed
// by search, NaN) are classes the view toggles in batches.
import type { StylesheetJson } from 'cytoscape';
import { NAN_COLOR } from './colors';
import { SMALLEST_FONT } from './limits';
import type { Theme } from './theme';

/** A colour without its alpha (the underlay has its own opacity): #rrggbbaa -> #rrggbb, rgba(...) -> rgb(...). */
function opaque(color: string): string {
  if (color.startsWith('#')) return color.slice(0, 7);
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  return m ? `rgb(${m[1]}, ${m[2]}, ${m[3]})` : '#ea5c00';
}

export function stylesheet(theme: Theme, big: boolean): StylesheetJson {
  const hc = theme.kind === 'high-contrast';
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        'background-color': 'data(color)',
        'border-width': hc ? 2 : 1,
        'border-color': theme.border,
        label: 'data(label)',
        color: 'data(text)',
        'font-size': SMALLEST_FONT,
        'font-family': theme.font,
        'text-valign': 'center',
        'text-halign': 'center',
        'min-zoomed-font-size': big ? 8 : 4,
      },
    },
    { selector: 'node[kind = "param"]', style: { shape: 'hexagon', 'border-width': 2, 'border-color': theme.foreground } },
    { selector: 'node[kind = "input"]', style: { shape: 'rhomboid' } },
    { selector: 'node[kind = "const"]', style: { shape: 'ellipse' } },
    {
      selector: 'node[kind = "group"]',
      style: { shape: 'cut-rectangle', 'border-width': 3, 'border-style': 'double', 'border-color': theme.foreground, 'font-size': 13 },
    },
    // A repetition's strip along the bottom of its box, the label moved up to make room.
    {
      selector: 'node[strip]',
      style: { 'background-image': 'data(strip)', 'background-fit': 'none', 'background-width': '86%', 'background-height': 7, 'background-position-y': '82%', 'background-clip': 'none', 'text-margin-y': -6 },
    },
    // A left-to-right drawing sets long labels on several lines (the view sizes the box for them).
    { selector: 'node[wrapped]', style: { label: 'data(wrapped)', 'text-wrap': 'wrap', 'line-height': 1.2 } },
    { selector: 'node.nan', style: { 'border-width': 4, 'border-color': NAN_COLOR, 'border-style': 'solid' } },
    {
      selector: 'node[?origin]',
      style: { 'border-width': 5, 'border-color': theme.foreground, 'border-style': 'dashed', 'font-weight': 'bold', 'underlay-color': NAN_COLOR, 'underlay-opacity': 0.35, 'underlay-padding': 10 },
    },
    { selector: 'node.linked', style: { 'underlay-color': opaque(theme.highlight), 'underlay-opacity': 0.6, 'underlay-padding': 8 } },
    { selector: 'node.match', style: { 'border-width': 3, 'border-color': theme.focus } },
    { selector: '.dimmed', style: { opacity: 0.2 } },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': theme.focus, 'border-style': 'solid' } },
    {
      selector: 'edge',
      // A big drawing's edges are straight and without arrowheads, and get no arrow properties at all: styling
      // costs Cytoscape per property and element, and a 20,000-node drawing has as many edges.
      style: big
        ? { width: 'data(width)', 'line-color': 'data(color)', 'curve-style': 'haystack', opacity: 0.85 }
        : { width: 'data(width)', 'line-color': 'data(color)', 'target-arrow-color': 'data(color)', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8, opacity: 0.85 },
    },
    { selector: 'edge.nan', style: { 'line-style': 'dashed' } },
  ];
}
