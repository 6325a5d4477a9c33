// Local mode: `rollgate demo` and `rollgate local fleet|slack`, loaded by the product at run time
// (cli/local-mode.ts), which hands `demoCommand` the product itself.
export { demoCommand, DEMO_HELP } from './demo-command.js';
export { localCommand } from './local-command.js';
export type { AuditEntry, Product } from './product.js';
export { freePort, redisForDemo } from './redis-for-demo.js';
export { cleanLeftovers, LEFTOVERS_DIR } from './demo-leftovers.js';
