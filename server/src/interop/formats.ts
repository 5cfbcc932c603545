/**
 * Which threat-model format a file is in, from its content (and its name for XML), and the importers and exporters
 * that exist. A format recognised but not yet read is said so, not guessed at.
 */
import { isPlainObject } from '../shared/values';
import { type ImportResult } from './imported';
import { importOtm } from './otm';
import { importThreagile } from './threagile';
import { importThreatComposer } from './threat-composer';
import { importTmBom } from './tm-bom';
import { importThreatDragon } from './threat-dragon';

export const IMPORT_FORMATS = ['otm', 'threat-dragon', 'tmt', 'threagile', 'threat-composer', 'tm-bom'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const FORMAT_NAMES: Record<ImportFormat, string> = {
  otm: 'Open Threat Model (OTM)',
  'threat-dragon': 'OWASP Threat Dragon',
  tmt: 'Microsoft Threat Modeling Tool (.tm7)',
  threagile: 'Threagile',
  'threat-composer': 'AWS Threat Composer',
  'tm-bom': 'OWASP TM-BOM',
};

/** The format of a parsed JSON or YAML document, or undefined. */
export function detectFormat(value: unknown): ImportFormat | undefined {
  if (!isPlainObject(value)) return undefined;
  if ('otmVersion' in value) return 'otm';
  if (isPlainObject(value.detail) && Array.isArray(value.detail.diagrams) && isPlainObject(value.summary)) return 'threat-dragon';
  if ('bomFormat' in value || ('scope' in value && ('actors' in value || 'trust_zones' in value || 'threats' in value))) return 'tm-bom';
  if ('technical_assets' in value || 'trust_boundaries' in value) return 'threagile';
  if (isPlainObject(value.schema) || ('threats' in value && 'mitigationLinks' in value)) return 'threat-composer';
  return undefined;
}

/** The importer of a format, or undefined when it is recognised but not read yet. */
export function importerOf(format: ImportFormat): ((value: unknown) => ImportResult) | undefined {
  switch (format) {
    case 'otm':
      return importOtm;
    case 'threat-dragon':
      return importThreatDragon;
    case 'threagile':
      return importThreagile;
    case 'threat-composer':
      return importThreatComposer;
    case 'tm-bom':
      return importTmBom;
    default:
      return undefined;
  }
}
