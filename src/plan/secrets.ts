/**
 * Env keys that hold secrets: never written to disk in clear, never shown, and
 * given only to the processes that declare them (not through the shared base
 * environment).
 */
export const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
