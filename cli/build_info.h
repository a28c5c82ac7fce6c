// What `ckptsim --version` prints: the release, the git commit the binary was
// built from ("unknown" outside a git checkout, "-dirty" when tracked files
// differed from it), the build type and the compiler. The definition is
// generated at build time by cmake/build_info.cmake.
#ifndef CKPTSIM_CLI_BUILD_INFO_H_
#define CKPTSIM_CLI_BUILD_INFO_H_

#include <string_view>

namespace ckptsim::cli {

struct BuildInfo {
  std::string_view version;     // CMake's project VERSION, e.g. "0.1.0"
  std::string_view commit;      // short hash, "unknown", or hash + "-dirty"
  std::string_view build_type;  // CMAKE_BUILD_TYPE (or the configuration), "none" when unset
  std::string_view compiler;    // compiler id and version, e.g. "GNU 12.2.0"
};

const BuildInfo& GetBuildInfo();

}  // namespace ckptsim::cli

#endif  // CKPTSIM_CLI_BUILD_INFO_H_
