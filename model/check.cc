#include "model/check.h"

#include <cstdio>
#include <cstdlib>

namespace ckptsim::model {
namespace {
thread_local std::string check_context;
}  // namespace

void SetCheckContext(std::string context) { check_context = std::move(context); }

void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "ckptsim: internal error: check failed: %s at %s:%d (%s)\n", condition, file, line,
               check_context.empty() ? "no run context" : check_context.c_str());
  std::fflush(stderr);
  std::_Exit(3);
}

}  // namespace ckptsim::model
