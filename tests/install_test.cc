// `cmake --install` (issue 12, an installable tool): the installed
// P/bin/ckptsim works on its own, from a directory outside the source and
// build trees, with the built-in scenarios it carries.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "shell.h"

namespace {

using ckptsim::testing::RunShell;
using ckptsim::testing::ShellOutcome;

// In single quotes for the shell. Appended piece by piece: GCC 12 warns
// falsely (-Wrestrict) on "'" + std::string.
std::string Quoted(const std::filesystem::path& path) {
  std::string quoted = "'";
  quoted += path.string();
  quoted += "'";
  return quoted;
}

TEST(Install, InstalledBinaryRunsAwayFromTheSourceAndBuildTrees) {
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("ckptsim_install_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(scratch);
  const std::filesystem::path prefix = scratch / "prefix";
  const std::filesystem::path elsewhere = scratch / "elsewhere";
  std::filesystem::create_directories(elsewhere);

  std::string command = Quoted(CKPTSIM_CMAKE);
  command += " --install " + Quoted(CKPTSIM_BUILD_DIR) + " --prefix " + Quoted(prefix) + " 2>&1";
  const ShellOutcome install = RunShell(command);
  ASSERT_EQ(install.exit_code, 0) << install.out;
  const std::filesystem::path installed = prefix / "bin" / "ckptsim";
  ASSERT_TRUE(std::filesystem::is_regular_file(installed)) << install.out;

  // Moved once more, so nothing can depend on the path it was installed to.
  const std::filesystem::path moved_prefix = scratch / "moved";
  std::filesystem::rename(prefix, moved_prefix);
  const std::string ckptsim = "cd " + Quoted(elsewhere) + " && env -u CKPTSIM_SCENARIO_DIR " +
                              Quoted(moved_prefix / "bin" / "ckptsim") + " ";

  const ShellOutcome version = RunShell(ckptsim + "--version 2>&1");
  EXPECT_EQ(version.exit_code, 0) << version.out;
  EXPECT_EQ(version.out.rfind(std::string("ckptsim ") + CKPTSIM_PROJECT_VERSION + "\n", 0), 0u) << version.out;

  const ShellOutcome list = RunShell(ckptsim + "list scenarios 2>&1");
  EXPECT_EQ(list.exit_code, 0) << list.out;
  for (const char* name : {"cascade-2pc", "fig6", "mixed-sources", "upgrade-rescale", "wide"}) {
    EXPECT_NE(list.out.find(std::string(name) + " "), std::string::npos) << name << "\n" << list.out;
  }

  const ShellOutcome run = RunShell(ckptsim + "run fig6 --seed 1 --trace fig6.jsonl 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind("seed 1 scenario fig6 ", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("job FINISHED"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::is_regular_file(elsewhere / "fig6.jsonl"));

  const ShellOutcome replay = RunShell(ckptsim + "replay fig6.jsonl 2>&1");
  EXPECT_EQ(replay.exit_code, 0) << replay.out;

  // A built-in that resumes into a new version of the job, as installed.
  const ShellOutcome upgrade = RunShell(ckptsim + "run upgrade-rescale --seed 7 2>&1");
  EXPECT_EQ(upgrade.exit_code, 0) << upgrade.out;

  const ShellOutcome unknown = RunShell(ckptsim + "run fig7 2>&1");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_NE(unknown.out.find("unknown scenario 'fig7' (did you mean 'fig6'?)"), std::string::npos) << unknown.out;

  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
}

}  // namespace
