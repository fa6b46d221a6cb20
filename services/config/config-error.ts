import { AppError } from '../errors.js';

export interface ConfigProblem {
  key: string;
  problem: string;
}

/** Start-up stops with this: one message that names every offending setting. */
export class ConfigError extends AppError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      'config_invalid',
      `Configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.key}: ${p.problem}`).join('\n'),
      { retryable: false },
    );
    this.name = 'ConfigError';
  }
}
