/** Building blocks shared by the charts: escaping, element markup, colours, text width and tick labels. */

/** Escapes text and attribute values for XML. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

type AttrValue = string | number | undefined;

/** One element; `undefined` attributes are left out, `children` is markup already escaped. */
export function el(name: string, attrs: Record<string, AttrValue>, children = ''): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return children ? `<${name}${a}>${children}</${name}>` : `<${name}${a}/>`;
}

/** A text element. */
export function text(x: number, y: number, content: string, attrs: Record<string, AttrValue> = {}): string {
  return el('text', { x: round(x), y: round(y), ...attrs }, escapeXml(content));
}

/** A standalone SVG document: scales to its container through the viewBox. */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" role="img">` +
    `${el('title', {}, escapeXml(title))}${el('rect', { width, height, fill: '#ffffff' })}${body}</svg>\n`
  );
}

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Approximate width of `s` in a sans-serif font of `fontSize` px (no font metrics without a browser). */
export function textWidth(s: string, fontSize: number): number {
  return s.length * fontSize * 0.62;
}

/** Coordinates to 0.1 px: enough for the eye, short markup. */
export function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A tick value as a short label: 0.5, 20, 500, 1k, 20k, 5M, 1G … */
export function siLabel(v: number): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  const unit = Math.max(0, Math.min(Math.floor(Math.log10(v) / 3), units.length - 1));
  return `${Number((v / 1000 ** unit).toPrecision(3))}${units[unit]}`;
}
