#include "scenarios/builtin.h"

#include <algorithm>
#include <filesystem>

namespace ckptsim::scenarios {
namespace {

constexpr std::string_view kLibrary = "library/";
constexpr std::string_view kSuffix = ".yaml";

std::optional<EmbeddedFile> FindByPath(std::string_view path) {
  const std::vector<EmbeddedFile>& files = EmbeddedFiles();
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const EmbeddedFile& file, std::string_view key) { return file.path < key; });
  if (it == files.end() || it->path != path) return std::nullopt;
  return *it;
}

}  // namespace

std::string BuiltinDisplayPath(std::string_view path) {
  if (path.starts_with(kLibrary)) path.remove_prefix(kLibrary.size());
  return std::string(kBuiltinRoot) + "/" + std::string(path);
}

bool IsBuiltinDisplayPath(std::string_view path) {
  return path.size() > kBuiltinRoot.size() && path.starts_with(kBuiltinRoot) && path[kBuiltinRoot.size()] == '/';
}

std::optional<EmbeddedFile> FindBuiltinFile(std::string_view display_path) {
  if (!IsBuiltinDisplayPath(display_path)) return std::nullopt;
  // Lexically, under a pretend root, so ".." never climbs out of the set.
  const std::filesystem::path normal =
      (std::filesystem::path("/") / std::string(display_path.substr(kBuiltinRoot.size() + 1))).lexically_normal();
  std::string relative = normal.relative_path().generic_string();
  if (auto file = FindByPath(relative)) return file;
  return FindByPath(std::string(kLibrary) + relative);
}

std::optional<EmbeddedFile> FindBuiltinByName(std::string_view name) {
  if (name.empty() || name.ends_with(kSuffix) || name.find("..") != std::string_view::npos) return std::nullopt;
  const std::string path = name.find('/') == std::string_view::npos
                               ? std::string(kLibrary) + std::string(name) + std::string(kSuffix)
                               : std::string(name) + std::string(kSuffix);
  if (auto file = FindByPath(path)) return file;
  // The check scenarios (scenarios/check/) by their plain names too.
  if (name.find('/') == std::string_view::npos) return FindByPath("check/" + std::string(name) + std::string(kSuffix));
  return std::nullopt;
}

std::vector<std::string> BuiltinLibraryNames() { return BuiltinNamesUnder(kLibrary); }

std::vector<std::string> BuiltinNamesUnder(std::string_view folder) {
  std::vector<std::string> names;
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    std::string_view path = file.path;
    if (!path.starts_with(folder) || !path.ends_with(kSuffix)) continue;
    path = path.substr(folder.size(), path.size() - folder.size() - kSuffix.size());
    if (path.find('/') == std::string_view::npos) names.emplace_back(path);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ckptsim::scenarios
