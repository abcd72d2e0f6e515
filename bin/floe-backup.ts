#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.arena_max=1 node
// One malloc arena: every libuv pool thread that compresses or decompresses would otherwise get its
// own, and keep what it freed; that was 10–20 MiB of a backup's or a restore's peak RSS, at no
// measured cost in time (docs/benchmarks.md). glibc reads it only at start, hence the command line.
import { launch, runMain } from './launcher.js';

runMain(() => launch('floe-backup', ['backup']));
