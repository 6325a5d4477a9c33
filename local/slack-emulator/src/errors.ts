// The emulator's one error type for control requests it cannot carry out.

export type EmulatorErrorCode = 'user_not_found' | 'channel_not_found' | 'message_not_found' | 'button_not_found' | 'view_not_found' | 'invalid_request' | 'not_found';

const HTTP_STATUS: Record<EmulatorErrorCode, number> = {
  user_not_found: 404,
  channel_not_found: 404,
  message_not_found: 404,
  button_not_found: 404,
  view_not_found: 404,
  invalid_request: 400,
  not_found: 404,
};

export class SlackEmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SlackEmulatorError';
    this.code = code;
  }
  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}
