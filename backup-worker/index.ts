/** What other folders import from the backup worker service (the engine has its own index). */
export { startBackupService, type BackupServiceDeps } from './service.js';
