/**
 * `npm run test:unit`: the fast tier. Pure code only (policy, directives, the audit chain,
 * validation and world generation, report and wording helpers, the fuzz oracle): no
 * database, no HTTP server, no browser. No global setup starts a database, and
 * MONGODB_URI is cleared, so a test that reaches for one fails here instead of passing
 * slowly. The whole suite (`npm test`) runs these too.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  roots: ['<rootDir>/test'],
  testMatch: [
    '<rootDir>/test/policy/**/*.test.ts',
    '<rootDir>/test/directives/**/*.test.ts',
    '<rootDir>/test/audit/chain.test.ts',
    '<rootDir>/test/bench/report.test.ts',
    '<rootDir>/test/bench/soak.test.ts',
    '<rootDir>/test/context/agreementCache.test.ts',
    '<rootDir>/test/data/generateWorld.test.ts',
    '<rootDir>/test/data/validateWorld.test.ts',
    '<rootDir>/test/explorer/privacyText.test.ts',
    '<rootDir>/test/fuzz/oracle.test.ts',
  ],
  setupFiles: ['<rootDir>/test/support/unitSetup.js'],
  reporters: base.reporters,
  testTimeout: 10000,
};
