/** The answer to `lookup <serial>`: the live Autopilot record(s) and this service's latest request. */
import type { AutopilotDevice } from '../services/graph/autopilot-graph.js';
import type { DeviceLookup } from '../services/lookup/device-lookup.js';
import { escapeCardText as esc, plainText } from './escape.js';
import { formatInstant } from './format.js';
import { statusLine } from './job-card.js';
import template from './templates/lookup-card.json' with { type: 'json' };
import { expandTemplate } from './template-engine.js';

const ENROLLMENT: Record<string, string> = {
  enrolled: 'Enrolled',
  notContacted: 'Not contacted yet',
  pendingReset: 'Pending reset',
  failed: 'Failed',
  blocked: 'Blocked',
  unknown: 'Unknown',
};

function recordView(device: AutopilotDevice) {
  const d = device.details;
  return {
    id: device.id,
    groupTag: device.groupTag ? esc(device.groupTag) : 'No tag',
    displayName: d?.displayName ? esc(d.displayName) : 'Not set',
    hardware: d ? `${esc(d.manufacturer)} ${esc(d.model)}`.trim() || 'Unknown' : 'Unknown',
    enrollment: `${ENROLLMENT[d?.enrollmentState ?? 'unknown'] ?? esc(d?.enrollmentState ?? '')}${d?.managedDeviceId ? ` (Intune device ${d.managedDeviceId})` : ''}`,
    profile: esc(device.profileStatus),
    user: device.userPrincipalName ? esc(device.userPrincipalName) : 'None',
    lastContact: d?.lastContacted ? formatInstant(d.lastContacted) : 'Never',
    entraDevice: device.entraDeviceId || 'Not linked yet',
  };
}

export function renderLookupCard(lookup: DeviceLookup, now: Date): Record<string, unknown> {
  const records = lookup.kind === 'found' ? lookup.records : [];
  const headline =
    lookup.kind === 'unavailable'
      ? { text: `Intune could not be read: ${lookup.reason}`, color: 'Attention' }
      : records.length === 0
        ? { text: 'Not registered in Autopilot.', color: 'Warning' }
        : records.length === 1
          ? { text: 'Registered in Autopilot.', color: 'Good' }
          : { text: `${records.length} Autopilot records share this serial number.`, color: 'Warning' };
  const job = lookup.latestJob;
  return expandTemplate(template, {
    // The fallback is plain text; the card's text takes Markdown, escaped.
    summary: plainText(`${lookup.serialNumber}: ${headline.text}`),
    serial: esc(lookup.serialNumber),
    headline: esc(headline.text),
    headlineColor: headline.color,
    records: records.map(recordView),
    latest: job ? `${statusLine(job).text} · submitted ${formatInstant(job.createdAt)} · job ${job.id}` : '',
    readAt: formatInstant(now.toISOString()),
  });
}
