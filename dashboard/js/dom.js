// dom.js - building elements. Every piece of data reaches the page as a
// text node or an attribute value, never as markup: instance ids, names,
// payloads and messages are whatever an app or a caller put there.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (c instanceof Node) node.appendChild(c);
    else node.appendChild(document.createTextNode(String(c)));
  }
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.setAttribute('class', v);
    else if (k === 'testid') node.dataset.testid = v;
    else if (k === 'value' && 'value' in node) node.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected') node[k] = !!v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

// el('a', {href: '#/x', class: 'c'}, 'text', child, ...)
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  return append(node, children);
}

export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'testid') node.setAttribute('data-testid', v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  return append(node, children);
}

// node.append() would turn null into the text "null"; this skips it.
export function put(node, ...children) {
  return append(node, children);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// JSON value -> indented text, for <pre>. undefined (absent) -> "".
export function jsonText(v) {
  if (v === undefined) return '';
  return JSON.stringify(v, null, 2);
}

// One line of at most n characters for table cells.
export function excerpt(v, n = 80) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > n ? s.slice(0, n - 1) + '\u2026' : s;
}

// "2026-01-02T03:04:05.123Z" -> "2026-01-02 03:04:05.123" (UTC, as stored).
export function fmtTime(iso) {
  if (!iso) return '';
  return String(iso).replace('T', ' ').replace('Z', '');
}

export function fmtDuration(ms) {
  if (!isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  if (ms < 3600000) return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
  return `${Math.floor(ms / 3600000)} h ${Math.round((ms % 3600000) / 60000)} min`;
}

export function instanceHref(id) {
  return '#/instance/' + encodeURIComponent(id);
}

export function statusBadge(status) {
  return el('span', { class: 'status s-' + String(status).toLowerCase(), testid: 'status' }, status);
}
