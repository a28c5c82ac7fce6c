// `ckptsim --version` (issue 12, an installable tool): the version, the git
// commit built from ("unknown" outside a git checkout), build type, compiler.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "files.h"
#include "shell.h"

namespace {

using ckptsim::testing::ReadAll;
using ckptsim::testing::ScratchDir;

using ckptsim::testing::RunCkptsim;
using ckptsim::testing::RunShell;
using ckptsim::testing::ShellOutcome;

const std::string kSource = CKPTSIM_SOURCE_DIR;

TEST(Version, PrintsVersionCommitBuildTypeAndCompiler) {
  const ShellOutcome o = RunCkptsim("--version");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.rfind(std::string("ckptsim ") + CKPTSIM_PROJECT_VERSION + "\n", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("\ncommit "), std::string::npos) << o.out;
  const std::string build_type = std::string(CKPTSIM_BUILD_TYPE).empty() ? "none" : CKPTSIM_BUILD_TYPE;
  EXPECT_NE(o.out.find("\nbuild " + build_type + "\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(std::string("\ncompiler ") + CKPTSIM_COMPILER + "\n"), std::string::npos) << o.out;
}

TEST(Version, NamesTheCommitOfAGitCheckout) {
  if (!std::filesystem::exists(kSource + "/.git")) GTEST_SKIP() << "the source tree is not a git checkout";
  const ShellOutcome head = RunShell("git -C '" + kSource + "' rev-parse --short=12 HEAD 2>/dev/null");
  if (head.exit_code != 0) GTEST_SKIP() << "git is not installed";
  const ShellOutcome o = RunCkptsim("--version");
  // The binary may have been built before the last commit; it names a hash, never "unknown".
  EXPECT_EQ(o.out.find("commit unknown"), std::string::npos) << o.out;
  const size_t commit = o.out.find("\ncommit ");
  ASSERT_NE(commit, std::string::npos) << o.out;
  const std::string hash = o.out.substr(commit + 8, o.out.find('\n', commit + 1) - commit - 8);
  EXPECT_GE(hash.size(), 12u) << hash;
}

// A release tarball has no .git: the build still works and says "unknown".
TEST(Version, BuildInfoScriptSaysUnknownOutsideAGitCheckout) {
  ScratchDir tree("version_test", "tarball");
  const std::string output = (tree.path() / "build_info.cc").string();
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + std::string.
  std::string command = "'";
  command += CKPTSIM_CMAKE;
  command += "' -DSOURCE_DIR='" + tree.str() + "' -DOUTPUT='" + output;
  command += "' -DVERSION=9.8.7 -DBUILD_TYPE= -DCOMPILER_ID=GNU -DCOMPILER_VERSION=1.2 -P '";
  command += kSource + "/cmake/build_info.cmake' 2>&1";
  const ShellOutcome o = RunShell(command);
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const std::string text = ReadAll(output);
  EXPECT_NE(text.find(".commit = \"unknown\""), std::string::npos) << text;
  EXPECT_NE(text.find(".version = \"9.8.7\""), std::string::npos) << text;
  EXPECT_NE(text.find(".build_type = \"none\""), std::string::npos) << text;
  EXPECT_NE(text.find(".compiler = \"GNU 1.2\""), std::string::npos) << text;
}

TEST(Version, IsListedInTheHelp) {
  const ShellOutcome o = RunCkptsim("--help");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("--version"), std::string::npos) << o.out;
}

}  // namespace
