// The Slack emulator used by local mode and by end-to-end tests.
export { createSlackEmulator } from './emulator.js';
export type { Faults, SlackEmulator, SlackEmulatorOptions } from './emulator.js';
export type { ClickInput, CommandInput, ForgedInput, InteractionResult } from './interactions.js';
export type { EmulatorState, EphemeralView, MessageView } from './state-view.js';
export type { RecordedCall } from './web-api.js';
export type { DisconnectReason, SocketConnectionView } from './socket-mode.js';
export type { StoreChange } from './store.js';
export type { EmulatedChannel, EmulatedUser, EmulatedUsergroup } from './workspace.js';
export { DEFAULT_APP_TOKEN, DEFAULT_BOT_TOKEN, DEFAULT_CHANNELS, DEFAULT_USERGROUPS, DEFAULT_USERS } from './workspace.js';
export { SlackEmulatorError } from './errors.js';
export type { EmulatorErrorCode } from './errors.js';
export { isValidSlackSignature, signedHeaders, slackSignature } from './signing.js';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS } from './response-urls.js';
