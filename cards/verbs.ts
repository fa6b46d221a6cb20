/** Card verbs, shared by the card templates (through the view model) and the bot's invoke handler. */
export const CARD_VERBS = {
  approve: 'approve',
  update: 'update',
  replace: 'replace',
  reject: 'reject',
  retry: 'retry',
  retag: 'retag',
  rename: 'rename',
  assignUser: 'assignUser',
  removeUser: 'removeUser',
  deregister: 'deregister',
} as const;
export type CardVerb = (typeof CARD_VERBS)[keyof typeof CARD_VERBS];

/** Ids of the inputs on the card; their values arrive merged into the action's data. */
export const CARD_INPUTS = {
  groupTag: 'groupTag',
  comment: 'comment',
  reason: 'reason',
  deviceName: 'deviceName',
  user: 'user',
  confirmEnrolled: 'confirmEnrolled',
} as const;
