/**
 * The plain-JavaScript n8n runtime shared with `npm start` (scripts/n8n), typed by its JSDoc.
 * Module by module, as scripts/n8n/index.js gathers them: TypeScript sees no named exports
 * through that file's spreads, so `export *` of it would export nothing.
 */
export * from '../../../scripts/n8n/paths';
export * from '../../../scripts/n8n/install';
export * from '../../../scripts/n8n/env';
export * from '../../../scripts/n8n/cli';
export * from '../../../scripts/n8n/userFolder';
export * from '../../../scripts/n8n/prepare';
export * from '../../../scripts/n8n/executions';
export * from '../../../scripts/n8n/filesFolder';
export * from '../../../scripts/n8n/webhookLive';
export * from '../../../scripts/n8n/listenerLive';
export * from '../../../scripts/n8n/demoCredential';
