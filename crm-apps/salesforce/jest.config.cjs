// Jest for the Lightning Web Components, with the stubs sfdx-lwc-jest provides for lightning/*.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
    ...jestConfig,
    testMatch: ['**/lwc/**/__tests__/**/*.test.js'],
    // One worker: the suite is small and the machine shared; spawning workers costs more than it saves.
    maxWorkers: 1
};
