// The documentation tells the truth about the repository (issue 12): every
// relative link in README.md, docs/*.md and the folder READMEs points at a
// file of the repository (none into ../shared, which users never get), and
// every folder README names each file directly in its folder.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.h"

namespace {

using ckptsim::testing::ReadAll;

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(CKPTSIM_SOURCE_DIR).lexically_normal();

// Top-level folders of the repository that hold a README.md, build and
// hidden folders aside; a folder added later (checker/, say) is covered
// as soon as it exists.
std::vector<fs::path> FoldersWithReadme() {
  std::vector<fs::path> folders;
  for (const fs::directory_entry& entry : fs::directory_iterator(kRoot)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.starts_with(".") || name.starts_with("build") || name == "out") continue;
    if (fs::is_regular_file(entry.path() / "README.md")) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

// README.md, docs/*.md and each folder's README.md.
std::vector<fs::path> MarkdownFiles() {
  std::set<fs::path> files{kRoot / "README.md"};
  for (const fs::directory_entry& entry : fs::directory_iterator(kRoot / "docs")) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.insert(entry.path());
  }
  for (const fs::path& folder : FoldersWithReadme()) files.insert(folder / "README.md");
  return {files.begin(), files.end()};
}

// The text outside ``` fenced blocks, where a link is a link.
std::string WithoutFencedCode(const std::string& text) {
  std::string kept;
  bool in_fence = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find_first_not_of(' ') != std::string::npos && line.substr(line.find_first_not_of(' ')).starts_with("```")) {
      in_fence = !in_fence;
      kept += "\n";
      continue;
    }
    kept += in_fence ? "\n" : line + "\n";
  }
  return kept;
}

struct Link {
  int line = 0;
  std::string target;
};

std::vector<Link> RelativeLinks(const std::string& text) {
  std::vector<Link> links;
  const std::string prose = WithoutFencedCode(text);
  static const std::regex kLink(R"(\]\(([^)\s]+)(\s+"[^"]*")?\))");
  int line = 1;
  size_t counted = 0;
  for (auto it = std::sregex_iterator(prose.begin(), prose.end(), kLink); it != std::sregex_iterator(); ++it) {
    const size_t at = static_cast<size_t>(it->position(0));
    line += static_cast<int>(std::count(prose.begin() + static_cast<std::ptrdiff_t>(counted),
                                        prose.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted = at;
    const std::string target = (*it)[1].str();
    if (target.starts_with("#") || target.find("://") != std::string::npos || target.starts_with("mailto:")) continue;
    links.push_back({line, target.substr(0, target.find('#'))});
  }
  return links;
}

TEST(Docs, EveryRelativeLinkPointsIntoTheRepository) {
  for (const fs::path& file : MarkdownFiles()) {
    const std::string text = ReadAll(file);
    const std::string shown = file.lexically_relative(kRoot).string();
    EXPECT_EQ(text.find("../shared"), std::string::npos) << shown << " mentions ../shared, which users never see";
    // The project's own documents are docs/protocol.md and docs/design.md.
    for (const char* outside : {"PROTOCOL.md", "DESIGN.md"}) {
      EXPECT_EQ(text.find(outside), std::string::npos) << shown << " cites " << outside << ", not in the repository";
    }
    for (const Link& link : RelativeLinks(text)) {
      const fs::path target = (file.parent_path() / link.target).lexically_normal();
      const std::string relative = target.lexically_relative(kRoot).generic_string();
      EXPECT_FALSE(relative.empty() || relative.starts_with(".."))
          << shown << ":" << link.line << ": link '" << link.target << "' leaves the repository";
      EXPECT_TRUE(fs::exists(target)) << shown << ":" << link.line << ": link '" << link.target
                                      << "' names no file";
    }
  }
}

// File name patterns .gitignore lists as generated (`*.jsonl`).
std::vector<std::string> IgnoredSuffixes() {
  std::vector<std::string> suffixes;
  std::istringstream lines(ReadAll(kRoot / ".gitignore"));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("*.")) suffixes.push_back(line.substr(1));
  }
  return suffixes;
}

// `name` appears as a word of its own; "x.h/.cc" names x.cc as well.
bool Names(const std::string& readme, const std::string& name) {
  const auto word = [&](const std::string& written) {
    size_t at = 0;
    while ((at = readme.find(written, at)) != std::string::npos) {
      const bool starts = at == 0 || !(std::isalnum(static_cast<unsigned char>(readme[at - 1])) ||
                                       readme[at - 1] == '_' || readme[at - 1] == '-' || readme[at - 1] == '.');
      const size_t end = at + written.size();
      const bool ends = end == readme.size() ||
                        !(std::isalnum(static_cast<unsigned char>(readme[end])) || readme[end] == '_');
      if (starts && ends) return true;
      ++at;
    }
    return false;
  };
  if (word(name)) return true;
  const fs::path path(name);
  return path.extension() == ".cc" && word(path.stem().string() + ".h/.cc");
}

TEST(Docs, EveryFolderReadmeNamesEachFileOfItsFolder) {
  const std::vector<std::string> ignored = IgnoredSuffixes();
  const std::vector<fs::path> folders = FoldersWithReadme();
  EXPECT_GE(folders.size(), 10u);
  for (const fs::path& folder : folders) {
    const std::string readme = ReadAll(folder / "README.md");
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      // CMakeLists.txt is in every folder and says nothing a reader looks for.
      if (!entry.is_regular_file() || name == "README.md" || name == "CMakeLists.txt" || name.starts_with(".")) {
        continue;
      }
      if (std::any_of(ignored.begin(), ignored.end(), [&](const std::string& suffix) { return name.ends_with(suffix); })) {
        continue;
      }
      EXPECT_TRUE(Names(readme, name)) << folder.filename().string() << "/README.md does not name " << name;
    }
  }
}

}  // namespace
