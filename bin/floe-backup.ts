#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.arena_max=1 node
// One malloc arena, as floe-agent runs with (bin/floe-agent.ts says why).
import { launch, runMain } from './launcher.js';

runMain(() => launch('floe-backup', ['backup']));
