/** The answer to `lookup <serial>`: the live Autopilot record(s) and this service's latest request. */
import type { AutopilotDevice } from '../services/graph/autopilot-graph.js';
import type { DeviceLookup } from '../services/lookup/device-lookup.js';
import { escapeCardText as esc, plainText } from './escape.js';
import { formatInstant } from './format.js';
import { statusLine } from './job-card.js';
import template from './templates/lookup-card.json' with { type: 'json' };
import { expandTemplate } from './template-engine.js';
import { inputsView } from './inputs-view.js';
import type { ApprovalConfig } from '../services/config/config.js';
import { NO_TAG, type InputProblem } from '../services/approvals/decision-inputs.js';

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

export interface LookupCardOptions {
  /** For approvers: the actions on the record (shown when the serial has exactly one record). */
  approvals?: ApprovalConfig;
  problems?: readonly InputProblem[];
  /** A line for the person who clicked: what started, or why nothing did. */
  notice?: { text: string; good: boolean };
}

/** The inputs of the actions start from what the record has now. */
function actionView(device: AutopilotDevice, approvals: ApprovalConfig, problems?: readonly InputProblem[]) {
  const inputs = inputsView(approvals, problems, device.groupTag || NO_TAG);
  return {
    ...inputs,
    action: {
      serial: device.serialNumber,
      recordId: device.id,
      groupTag: inputs.defaultTag,
      deviceName: device.details?.displayName ?? '',
      user: device.userPrincipalName,
      hasUser: device.userPrincipalName !== '',
      enrolled: Boolean(device.details?.managedDeviceId),
    },
  };
}

export function renderLookupCard(
  lookup: DeviceLookup,
  now: Date,
  options: LookupCardOptions = {},
): Record<string, unknown> {
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
  const only = records.length === 1 ? records[0] : undefined;
  const actions =
    only && options.approvals ? actionView(only, options.approvals, options.problems) : undefined;
  return expandTemplate(template, {
    ...(actions ?? { action: {} }),
    actionable: actions !== undefined,
    notice: esc(options.notice?.text ?? ''),
    noticeColor: options.notice?.good ? 'Good' : 'Attention',
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
