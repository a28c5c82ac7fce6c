// Built-in scenarios carried inside the binary (issue 12, an installable
// tool): a moved or installed ckptsim lists and runs them without the source
// tree, errors name "<built-in>/NAME.yaml", and resume_into between built-ins
// resolves among them.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "scenarios/builtin.h"
#include "scenarios/loader.h"
#include "files.h"
#include "shell.h"

namespace {

using ckptsim::testing::ReadAll;
using ckptsim::testing::ScratchDir;

using ckptsim::testing::RunCkptsim;
using ckptsim::testing::RunShell;
using ckptsim::testing::ShellOutcome;

const std::string kSource = CKPTSIM_SOURCE_DIR;

// The bug: built-ins were found through the source folder's path compiled
// into the binary, so an installed or moved binary listed none and exited 0.
TEST(BuiltinScenarios, AreEmbeddedByteForByteFromEveryYamlUnderScenarios) {
  const std::filesystem::path root = std::filesystem::path(kSource) / "scenarios";
  std::vector<std::string> on_disk;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      on_disk.push_back(entry.path().lexically_relative(root).generic_string());
    }
  }
  std::sort(on_disk.begin(), on_disk.end());
  std::vector<std::string> embedded;
  for (const ckptsim::scenarios::EmbeddedFile& file : ckptsim::scenarios::EmbeddedFiles()) {
    embedded.emplace_back(file.path);
    EXPECT_EQ(file.text, ReadAll(root / std::string(file.path))) << file.path;
  }
  EXPECT_EQ(embedded, on_disk);
  EXPECT_NE(std::find(embedded.begin(), embedded.end(), "library/fig6.yaml"), embedded.end());
  EXPECT_NE(std::find(embedded.begin(), embedded.end(), "findings/lost-stop-notification.yaml"), embedded.end());
}

TEST(BuiltinScenarios, LoadFromTheBinaryNamedAsBuiltinFiles) {
  auto loaded = ckptsim::scenarios::LoadScenario("fig6");
  ASSERT_TRUE(std::holds_alternative<ckptsim::simulator::RunConfig>(loaded));
  EXPECT_EQ(ckptsim::scenarios::BuiltinScenarioDir(), "<built-in>");
  // The library's names are the ones listed; the findings load by folder/name.
  const std::vector<std::string> names = ckptsim::scenarios::BuiltinScenarioNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "fig6"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "lost-stop-notification"), names.end());
  auto finding = ckptsim::scenarios::LoadScenario("findings/lost-stop-notification");
  ASSERT_TRUE(std::holds_alternative<ckptsim::simulator::RunConfig>(finding));
  EXPECT_EQ(std::get<ckptsim::simulator::RunConfig>(finding).scenario_name, "lost-stop-notification");
  auto by_path = ckptsim::scenarios::LoadScenario("<built-in>/wide.yaml");
  EXPECT_TRUE(std::holds_alternative<ckptsim::simulator::RunConfig>(by_path));
}

// Errors in a built-in name the embedded file; a relative resume_into from a
// built-in resolves among the built-ins, never on the disk.
TEST(BuiltinScenarios, ErrorsNameTheBuiltinFileAndResumeIntoResolvesAmongThem) {
  const std::string stop_then_resume_into = R"(name: upgrade
description: a stop without drain, then the job resumes as wide.
vertices:
  - name: S
    parallelism: 2
    operators: [{name: s, kind: unbounded_source}]
  - name: K
    parallelism: 2
    operators: [{name: k, kind: two_phase_commit_sink}]
edges:
  - {from: S, to: K, partitioning: forward}
stop_with_savepoint: {at_tick: 100, drain: false, resume: true, resume_into: RESUME}
)";
  const auto with = [&](const std::string& target) {
    std::string text = stop_then_resume_into;
    text.replace(text.find("RESUME"), 6, target);
    return ckptsim::scenarios::LoadScenarioText(text, "<built-in>/findings/upgrade.yaml");
  };
  // Not on the disk relative to the working directory: found in the binary.
  auto missing = with("no-such-version.yaml");
  ASSERT_TRUE(std::holds_alternative<ckptsim::scenarios::ScenarioError>(missing));
  const ckptsim::scenarios::ScenarioError& error = std::get<ckptsim::scenarios::ScenarioError>(missing);
  EXPECT_EQ(error.file, "<built-in>/findings/upgrade.yaml");
  EXPECT_EQ(error.line, 12);
  EXPECT_NE(error.message.find("<built-in>/findings/no-such-version.yaml: no such built-in scenario file"),
            std::string::npos)
      << error.message;
  // "../wide.yaml" from findings/ names the library's wide; its graph is taken
  // (the refusal, if any, comes from comparing the two jobs, not from a lookup).
  auto resolved = with("../wide.yaml");
  if (auto* refusal = std::get_if<ckptsim::scenarios::ScenarioError>(&resolved)) {
    EXPECT_EQ(refusal->message.find("cannot load the new version"), std::string::npos) << refusal->ToString();
  }
}

TEST(BuiltinScenarios, ListFailsLoudlyWhenItFindsNone) {
  ScratchDir empty("builtin_test", "empty_scenarios");
  const ShellOutcome o = RunCkptsim("list scenarios", "CKPTSIM_SCENARIO_DIR='" + empty.str() + "' ");
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.out.find("ckptsim: error: no built-in scenarios found in " + empty.str()), std::string::npos)
      << o.out;
}

TEST(BuiltinScenarios, AMovedBinaryListsAndRunsThem) {
  ScratchDir elsewhere("builtin_test", "moved");
  const std::filesystem::path binary = elsewhere.path() / "ckptsim";
  std::filesystem::copy_file(CKPTSIM_BINARY, binary);
  const std::string in_elsewhere = "cd '" + elsewhere.str() + "' && env -u CKPTSIM_SCENARIO_DIR ./ckptsim ";
  const ShellOutcome list = RunShell(in_elsewhere + "list scenarios 2>&1");
  EXPECT_EQ(list.exit_code, 0) << list.out;
  EXPECT_NE(list.out.find("fig6 "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("upgrade-rescale "), std::string::npos) << list.out;
  const ShellOutcome run = RunShell(in_elsewhere + "run upgrade-rescale --seed 7 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  const ShellOutcome finding = RunShell(in_elsewhere + "run findings/lost-stop-notification --seed 1 2>&1");
  EXPECT_EQ(finding.out.rfind("seed 1 scenario lost-stop-notification ", 0), 0u) << finding.out;
  EXPECT_NE(finding.exit_code, 2) << finding.out;
  // No path into the source tree's scenario folder is left in the binary.
  const std::string bytes = ReadAll(binary);
  EXPECT_EQ(bytes.find(kSource + "/scenarios/library"), std::string::npos);
}

}  // namespace
