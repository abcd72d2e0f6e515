#!/usr/bin/env node
import { launch, runMain } from './launcher.js';

runMain(() => launch('floe-backup', ['backup']));
