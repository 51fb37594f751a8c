/**
 * Runs the lanes in jest.config.js's order (unit, then integration, then e2e), so that `npm test`
 * reports the fast files first. Within a lane, jest's own order (failed last time first, then the
 * slowest first).
 */
const Sequencer = require("@jest/test-sequencer").default;

const lanes = ["unit", "integration", "e2e"];

/** The lane (jest project) a test file belongs to; files of an unnamed project run last. */
function laneOf(test) {
  const name = test.context.config.displayName;
  const index = lanes.indexOf(typeof name === "string" ? name : name?.name);
  return index < 0 ? lanes.length : index;
}

class LaneSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const position = new Map(ordered.map((test, i) => [test, i]));
    return [...ordered].sort((a, b) => laneOf(a) - laneOf(b) || position.get(a) - position.get(b));
  }
}

module.exports = LaneSequencer;
module.exports.laneOf = laneOf;
