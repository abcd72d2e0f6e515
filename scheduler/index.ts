/** What other folders import from the scheduler. */
export { startSchedulerService, type SchedulerServiceDeps } from './service.js';
export { selectBackend, type SchedulerPolicy, type Selection } from './select-backend.js';
export { defaultPolicy, type PolicyOptions } from './policy.js';
export { BackendStateView } from './backend-state-view.js';
export { capabilityReportSchema, type CapabilityReport } from './capability-report.js';
export type { BackendState, Capacity } from './backend-state.js';
export type { ScheduleRequest } from './schedule-request.js';
