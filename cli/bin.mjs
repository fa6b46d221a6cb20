#!/usr/bin/env node
// The `autopilot-submit` command: runs cli/submit.ts through tsx, so the CLI needs no build step.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./submit.ts');
process.exit(await run(process.argv.slice(2), process.env));
