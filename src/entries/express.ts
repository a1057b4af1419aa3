/** `authentik-mock/express`: the mock as an Express app. */
export { createApp, type ExpressMockOptions, type MockApp } from '../adapters/express.js';
