export { startN8n } from './startN8n';
export type { N8nInstance, ReadyProbe, StartN8nOptions } from './startN8n';
export { ensureN8nInstalled } from './runtime';
export type { CredentialJson, StoredExecution, WorkflowJson } from './runtime';
