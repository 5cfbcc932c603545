/** File names the extension and the CLI give to what they create. */

/**
 * The name a new threat model is saved under: `<name>.tm.yaml`, whatever the save dialog made of what was typed. A
 * dialog that proposes `threatmodel.tm.yaml` selects `threatmodel.tm`; typing over it gives `checkout.yaml`, and a
 * `tm.yaml` filter then appends its extension: `checkout.yaml.tm.yaml`. Every model or YAML extension is peeled off the
 * end and one is put back (`.tm.yml` when the name ended so).
 */
export function modelFileName(name: string): string {
  const extension = /\.tm\.yml$/i.test(name) ? '.tm.yml' : '.tm.yaml';
  let base = name;
  for (;;) {
    const next = base.replace(/\.(?:tm\.ya?ml|ya?ml|tm)$/i, '');
    if (next === base) break;
    base = next;
  }
  return `${base || 'threatmodel'}${extension}`;
}
