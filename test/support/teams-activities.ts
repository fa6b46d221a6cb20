/** Activities as Teams sends them to the bot, for tests. */
import { randomUUID } from 'node:crypto';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TEAM = '19:helpdesk-team@thread.tacv2';

export interface Person {
  id: string;
  name: string;
  aadObjectId: string;
}

export const alice: Person = { id: '29:alice', name: 'Alice Approver', aadObjectId: 'aad-alice' };
export const bob: Person = { id: '29:bob', name: 'Bob Approver', aadObjectId: 'aad-bob' };
export const mallory: Person = { id: '29:mallory', name: 'Mallory', aadObjectId: 'aad-mallory' };

function base(serviceUrl: string, from: Person, tenant = TENANT) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from,
    recipient: { id: '28:bot', name: 'Autopilot Approvals' },
    conversation: { id: `${TEAM};messageid=1`, conversationType: 'channel', tenantId: tenant, isGroup: true },
    channelData: { tenant: { id: tenant }, team: { id: TEAM }, channel: { id: TEAM } },
  };
}

export const OTHER_TEAM = '19:other-team@thread.tacv2';

/** An installation update in a team channel: `add` by default, by Alice (an approver), in the helpdesk team. */
export function installation(
  serviceUrl: string,
  options: {
    action?: 'add' | 'add-upgrade' | 'remove' | 'remove-upgrade';
    from?: Person;
    team?: string;
    teamName?: string;
  } = {},
) {
  const team = options.team ?? TEAM;
  return {
    ...base(serviceUrl, options.from ?? alice),
    type: 'installationUpdate',
    action: options.action ?? 'add',
    conversation: { id: team, conversationType: 'channel', tenantId: TENANT },
    channelData: {
      tenant: { id: TENANT },
      team: { id: team, ...(options.teamName ? { name: options.teamName } : {}) },
      channel: { id: team },
    },
  };
}

/** A message in a channel of another team than the helpdesk's. */
export function messageInTeam(serviceUrl: string, from: Person, text: string, team: string) {
  return {
    ...message(serviceUrl, from, text),
    conversation: { id: `${team};messageid=1`, conversationType: 'channel', tenantId: TENANT, isGroup: true },
    channelData: { tenant: { id: TENANT }, team: { id: team }, channel: { id: team } },
  };
}

export function cardClick(
  serviceUrl: string,
  from: Person,
  verb: string,
  data: Record<string, unknown>,
  tenant = TENANT,
) {
  return {
    ...base(serviceUrl, from, tenant),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export function message(serviceUrl: string, from: Person, text: string) {
  return { ...base(serviceUrl, from), type: 'message', text };
}

export function personalMessage(serviceUrl: string, from: Person, text: string) {
  return {
    ...base(serviceUrl, from),
    type: 'message',
    text,
    conversation: { id: `a:personal-${from.aadObjectId}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
  };
}

export function personalInstallation(
  serviceUrl: string,
  from: Person,
  action: 'add' | 'add-upgrade' = 'add',
) {
  return { ...personalMessage(serviceUrl, from, ''), type: 'installationUpdate', action };
}
