export * from './core/messages.js';
export * from './core/usage.js';
export * from './core/errors.js';
export * from './models/language-model.js';
export * from './models/wrap-language-model.js';
