/**
 * The starter model as it is written for someone (`threatcode init`, New Threat Model): the template's reviews are
 * dated the day it is written, so that a new model does not start with reviews that look months old.
 */

/** The date the template's `reviewed` entries carry (server/templates/starter.tm.yaml). */
export const STARTER_REVIEW_DATE = '2026-12-07';

export function starterText(template: string, today: string): string {
  return template.replaceAll(`date: ${STARTER_REVIEW_DATE}`, `date: ${today}`);
}
