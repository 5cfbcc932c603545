/**
 * Standalone copies of the diagram, for documents and tickets: the theme's colours resolved into the SVG (the VS Code
 * variables do not exist outside the editor), a background so that it reads on any page, and none of the panel's
 * interaction marks (highlight, focus, tooltips).
 */
const STYLED = 'rect, path, polygon, circle, ellipse, line, text, tspan, g';
const PROPERTIES = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-size', 'font-family', 'font-weight'] as const;

export function exportSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const live = [...svg.querySelectorAll<SVGElement>(STYLED)];
  const copy = [...clone.querySelectorAll<SVGElement>(STYLED)];
  live.forEach((el, i) => {
    const target = copy[i];
    if (!target) return;
    const style = getComputedStyle(el);
    target.setAttribute('style', PROPERTIES.map((p) => `${p}:${style.getPropertyValue(p)}`).join(';'));
  });
  for (const el of clone.querySelectorAll('.tc-highlight')) el.classList.remove('tc-highlight');
  for (const el of clone.querySelectorAll('title')) el.remove();
  for (const el of clone.querySelectorAll('[tabindex], [role]')) {
    el.removeAttribute('tabindex');
    el.removeAttribute('role');
    el.removeAttribute('aria-label');
  }
  const box = svg.viewBox.baseVal;
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('x', String(box.x));
  background.setAttribute('y', String(box.y));
  background.setAttribute('width', String(box.width));
  background.setAttribute('height', String(box.height));
  background.setAttribute('fill', getComputedStyle(document.body).backgroundColor || '#ffffff');
  clone.insertBefore(background, clone.firstChild);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(box.width));
  clone.setAttribute('height', String(box.height));
  return new XMLSerializer().serializeToString(clone);
}

/** The diagram as a PNG at twice its size (at most 8,192 px a side), base64-encoded. */
export async function exportPng(svg: SVGSVGElement): Promise<string> {
  const text = exportSvg(svg);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await image.decode();
  const box = svg.viewBox.baseVal;
  const scale = Math.min(2, 8192 / Math.max(box.width, box.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(box.width * scale));
  canvas.height = Math.max(1, Math.round(box.height * scale));
  const context = canvas.getContext('2d')!;
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png').slice('data:image/png;base64,'.length);
}
