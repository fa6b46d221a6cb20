/**
 * The Windows device name an approver sets at approval, and the template it starts from (DEVICE_NAME_TEMPLATE,
 * e.g. `CON-%SERIAL%`). Windows' rules, as the Autopilot profile's "Apply device name template" states them: at
 * most 15 characters; letters, digits and hyphens; not digits only. `%SERIAL%` and `%RAND:x%` are the portal's
 * macros. Pure.
 */
export const DEVICE_NAME_MAX = 15;

/** Why the name cannot be a Windows device name, or undefined when it can. */
export function deviceNameProblem(name: string): string | undefined {
  if (name.length > DEVICE_NAME_MAX) return `Keep the device name to ${DEVICE_NAME_MAX} characters.`;
  if (!/^[A-Za-z0-9-]+$/.test(name)) return 'Use letters, digits and hyphens only (no spaces).';
  if (/^\d+$/.test(name)) return 'A device name cannot be digits only.';
  return undefined;
}

const MACRO = /%SERIAL%|%RAND:(\d+)%/g;

/** Why the template cannot make valid names, or undefined. */
export function templateProblem(template: string): string | undefined {
  const fixed = template.replace(MACRO, '');
  const randomDigits = [...template.matchAll(/%RAND:(\d+)%/g)].reduce((n, m) => n + Number(m[1]), 0);
  if (/%/.test(fixed)) return 'only %SERIAL% and %RAND:x% macros are known';
  if ((template.match(/%SERIAL%/g) ?? []).length > 1) return 'may hold %SERIAL% once';
  if (fixed !== '' && !/^[A-Za-z0-9-]+$/.test(fixed))
    return 'may hold letters, digits, hyphens and macros only';
  if (fixed.length + randomDigits > DEVICE_NAME_MAX - (template.includes('%SERIAL%') ? 1 : 0))
    return `leaves no room within ${DEVICE_NAME_MAX} characters`;
  if (!template.includes('%') && deviceNameProblem(template)) return deviceNameProblem(template);
  return undefined;
}

/**
 * The name the template gives this serial. The serial keeps only letters, digits and hyphens; when the name would
 * pass 15 characters the serial is cut from the left (its end tells devices of one model apart), a choice the
 * approver sees and can change on the card.
 */
export function nameFromTemplate(
  template: string,
  serial: string,
  random: () => number = Math.random,
): string {
  const withRandom = template.replace(/%RAND:(\d+)%/g, (_m, digits: string) =>
    Array.from({ length: Number(digits) }, () => String(Math.floor(random() * 10))).join(''),
  );
  const room = DEVICE_NAME_MAX - withRandom.replace(/%SERIAL%/g, '').length;
  const cleaned = serial.replace(/[^A-Za-z0-9-]/g, '');
  return withRandom.replace(/%SERIAL%/g, room > 0 ? cleaned.slice(-room) : '');
}
