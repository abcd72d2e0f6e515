#!/usr/bin/env node
import type { FloeConfig } from '../common/config.js';
import { launch, runMain } from './launcher.js';

/** What to try next, printed once everything is up (README shows the same walkthrough). */
function walkthrough(config: FloeConfig): string {
  const endpoint = `http://${config.api.host}:${config.api.port}/v3/demo`;
  const env = `export OS_AUTH_TYPE=noauth OS_USER_ID=demo OS_PROJECT_ID=demo CINDER_ENDPOINT=${endpoint}`;
  return [
    '',
    `Floe is running: API on http://${config.api.host}:${config.api.port}, backends ${config.backends.map((b) => b.name).join(', ')}, data in ${config.dataDir}`,
    '',
    'Try it with the OpenStack cinder CLI (python3-cinderclient) from another shell:',
    `  ${env}`,
    '  cinder create 1 --name vol1 --poll',
    '  cinder list',
    '  cinder show vol1',
    '  cinder extend vol1 2',
    '  cinder backup-create --name bk1 vol1',
    '  cinder backup-list',
    '  cinder backup-restore --volume vol1 bk1',
    '  cinder delete vol1',
    '',
    'or with the floe CLI:',
    '  floe volume create 1 --name vol2 --wait',
    '  floe volume list',
    '  floe backup create vol2 --name bk2 --wait',
    '  FLOE_USER=admin FLOE_PROJECT=admin floe pool list',
    '',
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}

runMain(async () => {
  const { config } = await launch('floe-all', ['api', 'scheduler', 'volume', 'backup']);
  process.stdout.write(walkthrough(config));
});
