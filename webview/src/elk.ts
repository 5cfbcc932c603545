/**
 * Registers the ELK layout with the bundled Mermaid (loaded before this script as a global). A separate file, so
 * that the HTML report, which renders with Mermaid's own layout, does not carry it.
 */
import elkLayouts from '@mermaid-js/layout-elk';

declare const mermaid: { registerLayoutLoaders(loaders: typeof elkLayouts): void };
declare global {
  interface Window {
    __threatcodeElk?: boolean;
  }
}

mermaid.registerLayoutLoaders(elkLayouts);
window.__threatcodeElk = true;
