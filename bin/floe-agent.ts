#!/usr/bin/env node
import { runAgent } from '../backup-worker/agent/program.js';

process.exitCode = await runAgent(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
