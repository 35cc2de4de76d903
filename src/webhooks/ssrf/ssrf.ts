// The guard is the platform's (the audit anchor collector uses it too); webhooks keep
// importing it from here.
export * from '../../platform/net/ssrf.js';
