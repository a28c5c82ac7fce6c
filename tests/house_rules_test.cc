// The house rules of docs/design.md as checks over the source tree (issue
// 18), so that a change breaking one fails the default ctest run instead of
// waiting for a reader to notice. Each rule is a pure function from a file's
// text to its findings ("file:line: what"), run over the tree and, on text
// made up here, shown to catch a seeded violation.
//
// Layer arrows: docs/layers.txt lists each layer folder and the layers it may
// include; every `#include` of a .h/.cc under a listed folder must follow it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(CKPTSIM_SOURCE_DIR).lexically_normal();

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One broken rule at a place, printed as "file:line: what".
struct Finding {
  std::string file;
  int line = 0;
  std::string what;
};

std::string Shown(const std::vector<Finding>& findings) {
  std::string shown;
  for (const Finding& finding : findings) {
    shown += finding.file + ":" + std::to_string(finding.line) + ": " + finding.what + "\n";
  }
  return shown;
}

bool IsCppSource(const fs::path& path) {
  static const std::set<std::string> kExtensions{".h", ".cc", ".hh", ".hpp", ".cpp", ".cxx", ".inc", ".ipp"};
  return kExtensions.contains(path.extension().string());
}

// The C++ sources under `folder`, any depth, in path order. Symbolic links
// are passed over: tests/data/hostile/ holds a loop of them on purpose.
std::vector<fs::path> SourcesUnder(const fs::path& folder) {
  std::vector<fs::path> sources;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_symlink() || !IsCppSource(entry.path())) continue;
    if (entry.is_regular_file()) sources.push_back(entry.path());
  }
  std::sort(sources.begin(), sources.end());
  return sources;
}

std::string Relative(const fs::path& path) { return path.lexically_relative(kRoot).generic_string(); }

// ---------------------------------------------------------------------------
// Layer arrows.

// Each layer and the other layers it may include.
using LayerArrows = std::map<std::string, std::set<std::string>>;

// Reads the `layer: allowed ...` lines of docs/layers.txt ('#' starts a
// comment); a malformed line, a layer listed twice or an arrow to a layer
// the file does not list is a finding of `shown`.
LayerArrows ParseLayers(const std::string& text, const std::string& shown, std::vector<Finding>& findings) {
  LayerArrows arrows;
  std::map<std::string, int> line_of;
  const std::vector<std::string> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    std::string content = lines[i].substr(0, lines[i].find('#'));
    if (content.find_first_not_of(" \t\r") == std::string::npos) continue;
    const size_t colon = content.find(':');
    std::istringstream name_words(content.substr(0, colon));
    std::string layer;
    std::string extra;
    name_words >> layer;
    if (colon == std::string::npos || layer.empty() || (name_words >> extra)) {
      findings.push_back({shown, line, "expected `layer: allowed-layer ...`, found '" + lines[i] + "'"});
      continue;
    }
    if (arrows.contains(layer)) {
      findings.push_back({shown, line, "layer '" + layer + "' is listed twice"});
      continue;
    }
    line_of[layer] = line;
    std::istringstream allowed(content.substr(colon + 1));
    for (std::string target; allowed >> target;) arrows[layer].insert(target);
    arrows[layer];  // a layer that may include nothing is listed all the same
  }
  for (const auto& [layer, targets] : arrows) {
    for (const std::string& target : targets) {
      if (!arrows.contains(target)) {
        findings.push_back({shown, line_of[layer], "layer '" + layer + "' may include '" + target +
                                                       "', which is not a layer of this file"});
      }
    }
  }
  return arrows;
}

// A layer reaching itself over the arrows, as "a -> b -> a"; empty if none.
std::string Cycle(const LayerArrows& arrows) {
  std::map<std::string, int> state;  // 0 unvisited, 1 on the path, 2 done
  std::vector<std::string> path;
  std::string found;
  const auto visit = [&](const auto& self, const std::string& layer) -> void {
    state[layer] = 1;
    path.push_back(layer);
    for (const std::string& target : arrows.at(layer)) {
      if (!found.empty()) break;
      if (!arrows.contains(target)) continue;  // ParseLayers reports it
      if (state[target] == 1) {
        for (auto at = std::find(path.begin(), path.end(), target); at != path.end(); ++at) found += *at + " -> ";
        found += target;
      } else if (state[target] == 0) {
        self(self, target);
      }
    }
    path.pop_back();
    state[layer] = 2;
  };
  for (const auto& entry : arrows) {
    if (found.empty() && state[entry.first] == 0) visit(visit, entry.first);
  }
  return found;
}

std::string Joined(const std::set<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) joined += (joined.empty() ? "" : " ") + word;
  return joined;
}

// The includes of `text`, a file of `layer` shown as `file`, that the arrows
// do not allow. A quoted include with a folder must start with a layer's
// name; one without a folder is the file's own folder's. An angle include
// is checked only when it starts with a layer's name (the rest are system
// and third-party headers).
std::vector<Finding> CheckIncludes(const std::string& file, const std::string& layer, const std::string& text,
                                   const LayerArrows& arrows) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]*)[>"])");
  std::vector<Finding> findings;
  const std::set<std::string>& allowed = arrows.at(layer);
  const std::vector<std::string> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch match;
    if (!std::regex_search(lines[i], match, kInclude)) continue;
    const bool quoted = match[1].str() == "\"";
    const std::string included = match[2].str();
    const size_t slash = included.find('/');
    if (slash == std::string::npos) continue;
    const std::string target = included.substr(0, slash);
    const int line = static_cast<int>(i) + 1;
    if (!arrows.contains(target)) {
      if (quoted) findings.push_back({file, line, "includes \"" + included + "\", which is in no layer of docs/layers.txt"});
      continue;
    }
    if (target == layer || allowed.contains(target)) continue;
    findings.push_back({file, line, "includes " + included + ", but " + layer + "/ may include " +
                                        (allowed.empty() ? "no other layer" : "only " + Joined(allowed))});
  }
  return findings;
}

LayerArrows ProjectLayers() {
  std::vector<Finding> findings;
  LayerArrows arrows = ParseLayers(ReadAll(kRoot / "docs" / "layers.txt"), "docs/layers.txt", findings);
  EXPECT_TRUE(findings.empty()) << Shown(findings);
  return arrows;
}

TEST(HouseRules, LayersFileIsWellFormedAndHasNoCycle) {
  const LayerArrows arrows = ProjectLayers();
  EXPECT_GE(arrows.size(), 10u);
  EXPECT_TRUE(arrows.at("model").empty()) << "model/ uses nothing else of ckptsim";
  EXPECT_EQ(Cycle(arrows), "");
  for (const auto& [layer, targets] : arrows) {
    EXPECT_FALSE(targets.contains("cli")) << layer << "/ may include cli/, which nothing includes";
  }
}

TEST(HouseRules, EveryFolderWithCppSourcesIsALayer) {
  const LayerArrows arrows = ProjectLayers();
  for (const fs::directory_entry& entry : fs::directory_iterator(kRoot)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.starts_with(".") || name.starts_with("build") || name == "out") continue;
    if (SourcesUnder(entry.path()).empty()) continue;
    EXPECT_TRUE(arrows.contains(name)) << name << "/ holds C++ sources but docs/layers.txt does not list it";
  }
  for (const auto& entry : arrows) {
    EXPECT_TRUE(fs::is_directory(kRoot / entry.first)) << "docs/layers.txt lists " << entry.first << ", no folder";
  }
}

TEST(HouseRules, EveryIncludeFollowsTheLayerArrows) {
  const LayerArrows arrows = ProjectLayers();
  std::vector<Finding> findings;
  size_t files = 0;
  for (const auto& entry : arrows) {
    for (const fs::path& source : SourcesUnder(kRoot / entry.first)) {
      const std::vector<Finding> found = CheckIncludes(Relative(source), entry.first, ReadAll(source), arrows);
      findings.insert(findings.end(), found.begin(), found.end());
      ++files;
    }
  }
  EXPECT_GE(files, 200u);
  EXPECT_TRUE(findings.empty()) << Shown(findings);
}

// The test of the test: a file written here, with a forbidden include of
// each form, gets one finding each at its line.
TEST(HouseRules, IncludeCheckReportsAForbiddenInclude) {
  std::vector<Finding> parse_findings;
  const LayerArrows arrows = ParseLayers(
      "# a comment\n"
      "model:\n"
      "properties: model   # trailing comment\n"
      "simulator: model properties\n",
      "layers.txt", parse_findings);
  ASSERT_TRUE(parse_findings.empty()) << Shown(parse_findings);
  const std::string text =
      "#include <vector>\n"
      "#include \"model/state.h\"\n"
      "#include \"simulator/runner.h\"\n"
      "// #include \"simulator/sweep.h\" in a comment is no include\n"
      "  #  include <simulator/trace.h>\n"
      "#include \"properties/property.h\"\n"
      "#include \"local.h\"\n"
      "#include \"nowhere/thing.h\"\n";
  const std::vector<Finding> findings = CheckIncludes("properties/fake.cc", "properties", text, arrows);
  ASSERT_EQ(findings.size(), 3u) << Shown(findings);
  EXPECT_EQ(Shown(findings),
            "properties/fake.cc:3: includes simulator/runner.h, but properties/ may include only model\n"
            "properties/fake.cc:5: includes simulator/trace.h, but properties/ may include only model\n"
            "properties/fake.cc:8: includes \"nowhere/thing.h\", which is in no layer of docs/layers.txt\n");
  EXPECT_EQ(CheckIncludes("simulator/fake.cc", "simulator", text, arrows).size(), 1u);
  EXPECT_EQ(Shown(CheckIncludes("model/fake.cc", "model", "#include \"properties/property.h\"\n", arrows)),
            "model/fake.cc:1: includes properties/property.h, but model/ may include no other layer\n");
}

TEST(HouseRules, LayersFileRefusesMalformedLinesAndCycles) {
  std::vector<Finding> findings;
  const LayerArrows arrows = ParseLayers(
      "model: properties\n"
      "properties: model\n"
      "no colon here\n"
      "properties:\n"
      "simulator: model ghost\n",
      "layers.txt", findings);
  EXPECT_EQ(Shown(findings),
            "layers.txt:3: expected `layer: allowed-layer ...`, found 'no colon here'\n"
            "layers.txt:4: layer 'properties' is listed twice\n"
            "layers.txt:5: layer 'simulator' may include 'ghost', which is not a layer of this file\n");
  EXPECT_EQ(Cycle(arrows), "model -> properties -> model");
}

}  // namespace
