// The house rules of docs/design.md as checks over the source tree (issue
// 18), so that a change breaking one fails the default ctest run instead of
// waiting for a reader to notice. Each rule is a pure function from a file's
// text to its findings ("file:line: what"), run over the tree and, on text
// made up here, shown to catch a seeded violation.
//
// Layer arrows: docs/layers.txt lists each layer folder and the layers it may
// include; every `#include` of a .h/.cc under a listed folder must follow it.
//
// Banned sources of nondeterminism: in model/, properties/, simulator/ and
// checker/, no std::hash, unordered containers (unless marked lookup-only),
// random_device, clocks (but in the files listed with a reason), standard
// distributions, shuffle, rand() and ordering by address.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
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

// ---------------------------------------------------------------------------
// Banned sources of nondeterminism.

// The folders on the path to a decision, a fingerprint or an output.
const std::vector<std::string> kDeterministicLayers{"model", "properties", "simulator", "checker"};

// The files allowed to read a clock, each because it times a run for the
// user and nothing the run decides reads the figure.
const std::map<std::string, std::string> kClockAllowed{
    {"simulator/sweep.cc", "a sweep's seconds and runs_per_second, printed for the user; no seed's run reads them"},
    {"checker/search.h", "the search's seconds in its statistics and the once-a-second --progress line; "
                         "no search step reads them"},
};

// The line marking an unordered container as used for lookups only, never
// iterated, which makes it harmless.
const std::string kLookupOnly = "// deterministic: lookup only";

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `text` with comments and the contents of string and character literals
// blanked, newlines kept, so a rule matches code only and lines keep their
// numbers. A quote between two hex digits is a digit separator (1'000'000).
std::string CodeOnly(const std::string& text) {
  std::string code = text;
  const auto blank = [&](size_t from, size_t to) {
    for (size_t k = from; k < std::min(to, code.size()); ++k) {
      if (code[k] != '\n') code[k] = ' ';
    }
  };
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "//") == 0) {
      const size_t end = std::min(text.find('\n', i), text.size());
      blank(i, end);
      i = end;
    } else if (text.compare(i, 2, "/*") == 0) {
      const size_t close = text.find("*/", i + 2);
      const size_t end = close == std::string::npos ? text.size() : close + 2;
      blank(i, end);
      i = end;
    } else if (text.compare(i, 2, "R\"") == 0 && (i == 0 || !IsWordChar(text[i - 1]) || text[i - 1] == 'u' ||
                                                  text[i - 1] == 'U' || text[i - 1] == 'L' || text[i - 1] == '8')) {
      const size_t open = text.find('(', i + 2);
      if (open == std::string::npos) break;
      std::string closing(1, ')');
      closing.append(text, i + 2, open - i - 2).push_back('"');
      const size_t close = text.find(closing, open);
      const size_t end = close == std::string::npos ? text.size() : close + closing.size();
      blank(i + 1, end);
      i = end;
    } else if (text[i] == '"' || text[i] == '\'') {
      const char quote = text[i];
      if (quote == '\'' && i > 0 && i + 1 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i - 1])) &&
          std::isxdigit(static_cast<unsigned char>(text[i + 1]))) {
        ++i;
        continue;
      }
      size_t end = i + 1;
      while (end < text.size() && text[end] != quote && text[end] != '\n') end += text[end] == '\\' ? 2 : 1;
      blank(i + 1, end);
      i = end + 1;
    } else {
      ++i;
    }
  }
  return code;
}

struct BannedPattern {
  std::regex pattern;
  std::string what;
  enum class Unless { kNever, kLookupOnlyComment, kListedClockFile } unless = Unless::kNever;
};

const std::vector<BannedPattern>& BannedPatterns() {
  using Unless = BannedPattern::Unless;
  // A free function call: not a member (x.rand(), p->rand()) and not another
  // namespace's (ours::rand()), the global and std:: ones included.
  const std::string call = R"((?:^|[^\w.>:])(?:std::|::)?)";
  static const std::vector<BannedPattern> kPatterns{
      {std::regex(R"(\b(?:std|boost)\s*::\s*hash\b)"),
       "std::hash: its values differ between standard libraries (use model/fingerprint.h)"},
      {std::regex(R"(\bunordered_(?:map|set|multimap|multiset)\b)"),
       "an unordered container: its iteration order is the hash's (use std::map or a sorted vector, or mark a "
       "container never iterated with `" + kLookupOnly + "`)",
       Unless::kLookupOnlyComment},
      {std::regex(R"(\brandom_device\b)"), "std::random_device: not reproducible (draw from the run's PRNG)"},
      {std::regex(R"(\b\w+_clock\b)"), "a clock: time is integer ticks (only files listed with a reason may time a run)",
       Unless::kListedClockFile},
      {std::regex(call + R"((?:time|clock|gettimeofday|clock_gettime|timespec_get)\s*\()"),
       "a wall-clock call: time is integer ticks", Unless::kListedClockFile},
      {std::regex(R"(\b(?:uniform_int|uniform_real|bernoulli|binomial|negative_binomial|geometric|poisson|)"
                  R"(exponential|gamma|weibull|extreme_value|normal|lognormal|chi_squared|cauchy|fisher_f|)"
                  R"(student_t|discrete|piecewise_constant|piecewise_linear)_distribution\b|\bgenerate_canonical\b)"),
       "a standard distribution: its algorithm differs between standard libraries (use the PRNG's helpers)"},
      {std::regex(call + R"((?:random_)?shuffle\s*\(|)" + call + R"(sample\s*\()"),
       "std::shuffle/std::sample: unspecified algorithms (use the PRNG's helpers)"},
      {std::regex(call + R"((?:s?rand|rand_r|s?random|[dejlmn]rand48)\s*\()"),
       "the C library's random numbers: hidden global state (draw from the run's PRNG)"},
      {std::regex(R"(\bstd::(?:less|greater|less_equal|greater_equal)\s*<[^<>;]*\*\s*>)"),
       "ordering by pointer: addresses differ from run to run"},
      {std::regex(R"(\b(?:set|map|multiset|multimap|flat_set|flat_map|priority_queue)\s*<\s*(?:const\s+)?)"
                  R"([\w:]+(?:\s*<[^<>;]*>)?\s*(?:const\s*)?\*)"),
       "a container keyed by pointer: ordered by address, which differs from run to run"},
      {std::regex(R"(\bu?intptr_t\b)"), "an address as a number: it differs from run to run"},
  };
  return kPatterns;
}

// The banned sources of nondeterminism in `text`, a file shown as `file`;
// the clock rule is waived when `clock_allowed`. Include lines are skipped:
// including <unordered_map> or <chrono> is harmless, their use is not.
std::vector<Finding> CheckDeterminism(const std::string& file, const std::string& text, bool clock_allowed) {
  using Unless = BannedPattern::Unless;
  static const std::regex kIncludeLine(R"(^\s*#\s*include\b)");
  std::vector<Finding> findings;
  const std::vector<std::string> raw = Lines(text);
  const std::vector<std::string> code = Lines(CodeOnly(text));
  for (size_t i = 0; i < code.size(); ++i) {
    if (std::regex_search(code[i], kIncludeLine)) continue;
    for (const BannedPattern& banned : BannedPatterns()) {
      if (!std::regex_search(code[i], banned.pattern)) continue;
      if (banned.unless == Unless::kListedClockFile && clock_allowed) continue;
      if (banned.unless == Unless::kLookupOnlyComment && raw[i].find(kLookupOnly) != std::string::npos) continue;
      findings.push_back({file, static_cast<int>(i) + 1, banned.what});
    }
  }
  return findings;
}

TEST(HouseRules, NoBannedSourceOfNondeterminism) {
  std::vector<Finding> findings;
  size_t files = 0;
  for (const std::string& layer : kDeterministicLayers) {
    for (const fs::path& source : SourcesUnder(kRoot / layer)) {
      const std::string file = Relative(source);
      const std::vector<Finding> found = CheckDeterminism(file, ReadAll(source), kClockAllowed.contains(file));
      findings.insert(findings.end(), found.begin(), found.end());
      ++files;
    }
  }
  EXPECT_GE(files, 60u);
  EXPECT_TRUE(findings.empty()) << Shown(findings);
}

// An allowance nobody needs any more is taken off the list.
TEST(HouseRules, EveryClockAllowanceIsStillNeeded) {
  for (const auto& [file, reason] : kClockAllowed) {
    ASSERT_TRUE(fs::is_regular_file(kRoot / file)) << file << " (allowed a clock for " << reason << ") is gone";
    EXPECT_FALSE(CheckDeterminism(file, ReadAll(kRoot / file), false).empty())
        << file << " reads no clock any more; take it off kClockAllowed";
  }
}

// The test of the test: one banned source per line, each reported at its
// line, and look-alikes (comments, strings and raw strings, digit
// separators, members, other namespaces, pointers as mapped values, a marked
// lookup-only map, an allowed clock) left alone.
TEST(HouseRules, DeterminismCheckReportsEachBannedSource) {
  const std::string text =
      "#include <unordered_map>\n"                                           // 1
      "size_t h = std::hash<int>{}(7);\n"                                    // 2
      "std::unordered_set<int> seen;\n"                                      // 3
      "std::unordered_map<int, int> index;  " + kLookupOnly + "\n" +         // 4
      "std::random_device device;\n"                                         // 5
      "auto now = std::chrono::steady_clock::now();\n"                       // 6
      "time_t t = time(nullptr);\n"                                          // 7
      "std::uniform_int_distribution<int> pick(0, 9);\n"                     // 8
      "std::shuffle(v.begin(), v.end(), engine);\n"                          // 9
      "int r = rand() % 6;  srand(1);\n"                                     // 10
      "std::set<const Subtask*> by_address;\n"                               // 11
      "std::map<Node *, int, std::less<Node*>> ranks;\n"                     // 12
      "auto id = reinterpret_cast<uintptr_t>(p);\n"                          // 13
      "// no std::hash, no rand(), no unordered_map here\n"                  // 14
      "const char* s = \"std::hash rand() steady_clock\";  char c = '*';\n"  // 15
      "int64_t million = 1'000'000;  int x = prng.rand();  ours::time(1);\n" // 16
      "/* std::random_device\n"                                              // 17
      "   in a block comment */ std::set<int> fine;\n"                       // 18
      "auto raw = R\"x(rand() \" std::hash)x\";  std::map<int, Node*> ok;\n";  // 19
  const std::vector<Finding> findings = CheckDeterminism("model/fake.cc", text, false);
  std::vector<int> lines;
  for (const Finding& finding : findings) lines.push_back(finding.line);
  EXPECT_EQ(lines, (std::vector<int>{2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13})) << Shown(findings);
  // An allowed file may read a clock, and nothing else.
  std::vector<int> allowed_lines;
  for (const Finding& finding : CheckDeterminism("simulator/sweep.cc", text, true)) allowed_lines.push_back(finding.line);
  EXPECT_EQ(allowed_lines, (std::vector<int>{2, 3, 5, 8, 9, 10, 11, 12, 12, 13}));
}

}  // namespace
