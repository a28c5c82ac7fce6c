// The built-in scenarios, carried inside the binary: every *.yaml file under
// scenarios/ of the source tree, embedded at build time by
// cmake/embed_scenarios.cmake, so an installed or moved ckptsim finds them
// without the source tree.
//
// A file is known by its path relative to scenarios/ ("library/fig6.yaml",
// "findings/lost-stop-notification.yaml"). Errors and relative resume_into
// references use a display path under kBuiltinRoot: the library's files sit
// at its top ("<built-in>/fig6.yaml"), the other folders keep their name
// ("<built-in>/findings/lost-stop-notification.yaml").
//
// Thread-safety: read-only data, safe from any thread.
#ifndef CKPTSIM_SCENARIOS_BUILTIN_H_
#define CKPTSIM_SCENARIOS_BUILTIN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckptsim::scenarios {

struct EmbeddedFile {
  std::string_view path;  // relative to scenarios/, '/'-separated
  std::string_view text;  // the file's bytes
};

// Every embedded file, sorted by path. Defined in the generated source.
const std::vector<EmbeddedFile>& EmbeddedFiles();

// The folder that display paths of embedded files start with.
inline constexpr std::string_view kBuiltinRoot = "<built-in>";

// The display path of an embedded file ("library/fig6.yaml" -> "<built-in>/fig6.yaml").
std::string BuiltinDisplayPath(std::string_view path);

// True for a path that names an embedded file by its display path.
bool IsBuiltinDisplayPath(std::string_view path);

// The embedded file a display path names, after resolving "." and ".."
// ("<built-in>/findings/../wide.yaml" is the library's wide.yaml); nullopt
// when there is none.
std::optional<EmbeddedFile> FindBuiltinFile(std::string_view display_path);

// The embedded file a scenario name names: "fig6" the library's fig6.yaml,
// "findings/lost-stop-notification" that folder's file; nullopt otherwise.
std::optional<EmbeddedFile> FindBuiltinByName(std::string_view name);

// The names of the library's scenarios (file names without .yaml), sorted.
std::vector<std::string> BuiltinLibraryNames();
// The names of the embedded scenarios directly under `folder` ("check/"), sorted.
std::vector<std::string> BuiltinNamesUnder(std::string_view folder);

}  // namespace ckptsim::scenarios

#endif  // CKPTSIM_SCENARIOS_BUILTIN_H_
