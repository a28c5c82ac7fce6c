// Files from a test: a whole file as text, and a scratch folder that is
// fresh when made and gone when the test ends.
#ifndef CKPTSIM_TESTS_FILES_H_
#define CKPTSIM_TESTS_FILES_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace ckptsim::testing {

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh, empty folder under the temporary directory, named after the test
// file (`owner`), the process and `name`; removed at the end.
class ScratchDir {
 public:
  ScratchDir(const std::string& owner, const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("ckptsim_" + owner + "_" + std::to_string(::getpid()) + "_" + name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ckptsim::testing

#endif  // CKPTSIM_TESTS_FILES_H_
