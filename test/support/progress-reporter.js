/**
 * A line when jest starts, and one when each test file starts and when it is done, with the time
 * since the start: the end-to-end files each drive the real Pulumi engine for a minute or more,
 * and jest's default reporter says nothing until a file is done (and in CI, where stdout is not a
 * terminal, shows no running files at all). The default reporter still prints PASS/FAIL.
 */
class ProgressReporter {
  constructor(globalConfig) {
    this.workers = globalConfig.maxWorkers;
    this.started = 0;
    this.done = 0;
    this.total = 0;
    this.t0 = Date.now();
  }

  elapsed() {
    const s = Math.round((Date.now() - this.t0) / 1000);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  }

  say(line) {
    process.stderr.write(`[jest ${this.elapsed()}] ${line}\n`);
  }

  onRunStart(results) {
    this.t0 = Date.now();
    this.total = results.numTotalTestSuites;
    const workers = `${this.workers} worker${this.workers === 1 ? "" : "s"}`;
    this.say(`${this.total} test files on ${workers}; the end-to-end files (test/e2e) run the real Pulumi engine and take a minute or more each`);
  }

  onTestFileStart(test) {
    this.started += 1;
    this.say(`started ${relative(test)} (${this.started} of ${this.total})`);
  }

  onTestFileResult(test) {
    this.done += 1;
    this.say(`${this.done} of ${this.total} test files done (${relative(test)})`);
  }
}

function relative(test) {
  return test.path.slice(test.context.config.rootDir.length + 1);
}

module.exports = ProgressReporter;
