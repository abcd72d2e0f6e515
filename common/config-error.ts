/** A setting is missing or wrong; the message names the variable. The process stops at start-up. */
export class ConfigError extends Error {}
