// ScenarioError: why a scenario could not be loaded, and where.
//
// A bad scenario is an expected error (a typo in a file the user wrote), so
// the loader returns one of these instead of throwing or aborting. The line
// is 1-based and points at the key or list element the message is about; a
// line of 0 means the problem concerns the whole file (it cannot be read,
// or a built-in name is unknown).
#ifndef CKPTSIM_SCENARIOS_SCENARIO_ERROR_H_
#define CKPTSIM_SCENARIOS_SCENARIO_ERROR_H_

#include <string>

namespace ckptsim::scenarios {

struct ScenarioError {
  std::string file;
  int line = 0;
  std::string message;

  // "file:line: message", or "file: message" when line is 0.
  std::string ToString() const;
};

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_SCENARIO_ERROR_H_
