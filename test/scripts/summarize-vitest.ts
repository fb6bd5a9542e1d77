// Prints the plain closing line "tests: N passed, N failed[, N skipped]" from vitest's JSON report,
// so CI reads the outcome the same way whatever reporter is on screen.
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2];
if (reportPath === undefined) throw new Error('usage: summarize-vitest.ts <vitest-json-report>');
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
};
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` + (skipped > 0 ? `, ${skipped} skipped` : ''));
if (report.numFailedTests > 0 || report.numTotalTests === 0) process.exit(1);
