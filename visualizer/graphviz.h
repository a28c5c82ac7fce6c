// Rendering DOT to SVG or PNG with Graphviz's `dot`, and writing output files.
//
// `dot` runs without a shell: posix_spawnp with a fixed argument vector
// ("dot", "-Tsvg"), the DOT text on its standard input and its output read
// back from an unlinked temporary file. No user text (file names, vertex or
// operator names) ever reaches a command line, so names holding quotes or
// shell metacharacters cannot run anything.
#ifndef CKPTSIM_VISUALIZER_GRAPHVIZ_H_
#define CKPTSIM_VISUALIZER_GRAPHVIZ_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ckptsim::visualizer {

enum class ImageFormat : uint8_t { kSvg, kPng };

// The command that installs Graphviz, named in every error about it.
inline constexpr const char* kInstallGraphviz = "apt-get install graphviz";

// Runs `dot` on `dot_text`; false with a one-line *error if `dot` is missing
// (naming the install command), fails or is killed.
bool RunDot(std::string_view dot_text, ImageFormat format, std::string* image, std::string* error);

// Renders each of `dot_texts` (several `dot` processes at once, one per core,
// at least 2); (*images)[i] is the picture of dot_texts[i].
bool RunDotAll(const std::vector<std::string>& dot_texts, ImageFormat format, std::vector<std::string>* images,
               std::string* error);

// True if a `dot` program can be found on PATH.
bool DotAvailable();

// Writes `bytes` to PATH.tmp, then renames it over PATH: a failed write
// leaves nothing half-written at PATH.
bool WriteFileAtomically(const std::string& path, std::string_view bytes, std::string* error);

// An SVG from `dot` made fit to sit inside an HTML page: the XML prologue and
// DOCTYPE dropped, element ids prefixed with `id_prefix` so several pictures
// on one page never share an id.
std::string InlineSvg(std::string_view svg, std::string_view id_prefix);

}  // namespace ckptsim::visualizer

#endif  // CKPTSIM_VISUALIZER_GRAPHVIZ_H_
