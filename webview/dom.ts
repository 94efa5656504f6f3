// The one DOM helper the view's parts share: an element with a class and text, built with textContent only
// (op names, file paths and messages come from the user's code and are never parsed as HTML).

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}
