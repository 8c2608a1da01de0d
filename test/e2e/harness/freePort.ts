/** A loopback port nobody listens on right now: the one implementation, shared with npm run start:queue. */
export { freePort } from '../../../scripts/queue';
