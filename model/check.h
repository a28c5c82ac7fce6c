// Always-on checks of the harness's own invariants. A failed check is a bug in
// ckptsim, not in the protocol under test: it prints the condition, the
// location and the run context (scenario, seed) and exits with code 3.
#ifndef CKPTSIM_MODEL_CHECK_H_
#define CKPTSIM_MODEL_CHECK_H_

#include <string>

namespace ckptsim::model {

// Sets what a failed check prints as its context (per thread).
void SetCheckContext(std::string context);
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);

}  // namespace ckptsim::model

#define CKPTSIM_CHECK(condition)                                            \
  do {                                                                      \
    if (!(condition)) ::ckptsim::model::CheckFailed(#condition, __FILE__, __LINE__); \
  } while (false)

#endif  // CKPTSIM_MODEL_CHECK_H_
