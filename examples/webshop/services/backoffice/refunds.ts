// Back office: refunds, for staff signed in through single sign-on (backoffice in webshop.tm.yaml).
export function canRefund(roles: readonly string[], amountCents: number): boolean {
  if (!roles.includes('support')) return false;
  // Large refunds need a supervisor: the mitigation of the back office's elevation-of-privilege threat.
  return amountCents <= 50_000 || roles.includes('supervisor');
}
