/**
 * The plain-JavaScript n8n runtime shared with `npm start` (scripts/n8n), typed for the e2e tests.
 */
export * from '../../../scripts/n8n';
