#!/usr/bin/env -S node --max-semi-space-size=1
// 1 MiB semi-spaces: V8 frees the buffers a restore leaves behind (socket reads, decrypted and
// decompressed chunks) only when it collects their young wrappers; a small young generation is
// collected sooner. Remote restores peaked 10-12 MiB lower at the same speed (docs/benchmarks.md).
// V8 takes the size only from the command line, so it is set here, where floe-agent is started.
import { runAgent } from '../backup-worker/agent/program.js';

process.exitCode = await runAgent(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
