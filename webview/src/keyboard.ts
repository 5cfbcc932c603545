/** Arrow-key navigation between the nodes of the diagram: the nearest node in the direction pressed. */
export type Direction = 'left' | 'right' | 'up' | 'down';

export function nearestInDirection<T extends Element>(from: T, nodes: readonly T[], direction: Direction): T | undefined {
  const centre = (el: Element) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  };
  const origin = centre(from);
  let best: T | undefined;
  let bestScore = Infinity;
  for (const node of nodes) {
    if (node === from) continue;
    const c = centre(node);
    const dx = c.x - origin.x;
    const dy = c.y - origin.y;
    // Distance along the arrow, and how far off its line: a node straight ahead beats a closer one off to the side.
    const along = direction === 'left' ? -dx : direction === 'right' ? dx : direction === 'up' ? -dy : dy;
    const across = direction === 'left' || direction === 'right' ? Math.abs(dy) : Math.abs(dx);
    if (along <= 1) continue;
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = node;
    }
  }
  return best;
}
