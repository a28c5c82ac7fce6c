#include "visualizer/graphviz.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace ckptsim::visualizer {
namespace {

// A temporary file, already unlinked: it disappears when closed.
class AnonymousFile {
 public:
  AnonymousFile() {
    const char* directory = std::getenv("TMPDIR");
    std::string path =
        fmt::format("{}/ckptsim-dot-XXXXXX", directory != nullptr && *directory != 0 ? directory : "/tmp");
    fd_ = mkostemp(path.data(), O_CLOEXEC);
    if (fd_ >= 0) unlink(path.c_str());
  }
  ~AnonymousFile() {
    if (fd_ >= 0) close(fd_);
  }
  AnonymousFile(const AnonymousFile&) = delete;
  AnonymousFile& operator=(const AnonymousFile&) = delete;

  int fd() const { return fd_; }
  bool Write(std::string_view bytes) const {
    while (!bytes.empty()) {
      const ssize_t n = write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return lseek(fd_, 0, SEEK_SET) == 0;
  }
  std::string ReadAll() const {
    std::string out;
    if (lseek(fd_, 0, SEEK_SET) != 0) return out;
    char buffer[65536];
    for (ssize_t n; (n = read(fd_, buffer, sizeof buffer)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

std::string FirstLine(const std::string& text) {
  const size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string NotInstalled() {
  return fmt::format(
      "Graphviz 'dot' is not installed (not found on PATH); install it with '{}', or write a .dot "
      "file instead",
      kInstallGraphviz);
}

// How long one `dot` may run before it is killed, so that a layout that
// never ends cannot hang ckptsim: 60 s (a 300-node picture takes under 5),
// or CKPTSIM_DOT_TIMEOUT_SECONDS. The clock decides only whether this error
// is reported, never what a picture holds.
int64_t DotTimeoutSeconds() {
  const char* text = std::getenv("CKPTSIM_DOT_TIMEOUT_SECONDS");
  if (text != nullptr) {
    int64_t seconds = 0;
    const char* end = text + std::strlen(text);
    const auto [stop, status] = std::from_chars(text, end, seconds);
    if (status == std::errc() && stop == end && seconds > 0 && seconds <= 86'400) return seconds;
  }
  return 60;
}

// One run of `dot`, its standard streams three anonymous files. Started and
// finished apart, so that several can run at once.
class DotRun {
 public:
  bool Start(std::string_view dot_text, ImageFormat format, std::string* error) {
    if (in_.fd() < 0 || out_.fd() < 0 || err_.fd() < 0 || !in_.Write(dot_text)) {
      *error = fmt::format("cannot create a temporary file for Graphviz 'dot': {}", std::strerror(errno));
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_.fd(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_.fd(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_.fd(), STDERR_FILENO);
    // A fixed argument vector: no shell, no user text.
    char program[] = "dot";
    char flag[] = "-Tsvg";
    if (format == ImageFormat::kPng) std::snprintf(flag, sizeof flag, "%s", "-Tpng");
    char* argv[] = {program, flag, nullptr};
    const int spawned = posix_spawnp(&pid_, program, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = -1;
      *error = spawned == ENOENT ? NotInstalled()
                                 : fmt::format("cannot run Graphviz 'dot': {}; install it with '{}'",
                                               std::strerror(spawned), kInstallGraphviz);
      return false;
    }
    return true;
  }

  // Waits for the run; its output, or a one-line error.
  bool Finish(std::string* image, std::string* error) {
    int status = 0;
    const int64_t timeout_seconds = DotTimeoutSeconds();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (true) {
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) break;
      if (done < 0 && errno != EINTR) {
        *error = fmt::format("waiting for Graphviz 'dot' failed: {}", std::strerror(errno));
        return false;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        *error = fmt::format(
            "Graphviz 'dot' did not finish within {} s and was stopped; draw fewer nodes (--max-nodes, --from/--to) "
            "or write a .dot file",
            timeout_seconds);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    pid_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      const std::string reason = FirstLine(err_.ReadAll());
      // Where the C library cannot tell a missing program at spawn time, the child exits 127.
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && reason.empty()) {
        *error = NotInstalled();
        return false;
      }
      const std::string how = WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                                                : fmt::format("signal {}", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      *error = fmt::format("Graphviz 'dot' failed ({}){}{}; is the Graphviz install complete ('{}')?", how,
                           reason.empty() ? "" : ": ", reason, kInstallGraphviz);
      return false;
    }
    *image = out_.ReadAll();
    if (image->empty()) {
      *error =
          fmt::format("Graphviz 'dot' produced no output; is the Graphviz install complete ('{}')?", kInstallGraphviz);
      return false;
    }
    return true;
  }

  bool running() const { return pid_ >= 0; }

 private:
  AnonymousFile in_;
  AnonymousFile out_;
  AnonymousFile err_;
  pid_t pid_ = -1;
};

}  // namespace

bool RunDot(std::string_view dot_text, ImageFormat format, std::string* image, std::string* error) {
  DotRun run;
  return run.Start(dot_text, format, error) && run.Finish(image, error);
}

bool RunDotAll(const std::vector<std::string>& dot_texts, ImageFormat format, std::vector<std::string>* images,
               std::string* error) {
  const size_t parallel = std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8);
  images->assign(dot_texts.size(), "");
  std::vector<std::unique_ptr<DotRun>> runs(dot_texts.size());
  size_t started = 0;
  bool ok = true;
  for (size_t i = 0; i < dot_texts.size(); ++i) {
    while (ok && started < dot_texts.size() && started < i + parallel) {
      runs[started] = std::make_unique<DotRun>();
      ok = runs[started]->Start(dot_texts[started], format, error);
      ++started;
    }
    // After a failure, still wait for what runs, so no child is left behind.
    if (runs[i] && runs[i]->running()) {
      std::string ignored;
      ok = runs[i]->Finish(&(*images)[i], ok ? error : &ignored) && ok;
    }
    runs[i].reset();
  }
  return ok;
}

bool DotAvailable() {
  std::string image;
  std::string error;
  return RunDot("digraph{}", ImageFormat::kSvg, &image, &error);
}

bool WriteFileAtomically(const std::string& path, std::string_view bytes, std::string* error) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    *error = fmt::format("{}: cannot write: {}", path, std::strerror(errno));
    return false;
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = fmt::format("{}: cannot write: {}", path, std::strerror(written && closed ? errno : write_errno));
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

std::string InlineSvg(std::string_view svg, std::string_view id_prefix) {
  const size_t start = svg.find("<svg");
  std::string out(start == std::string_view::npos ? svg : svg.substr(start));
  std::string prefixed;
  prefixed.reserve(out.size());
  for (size_t at = 0;;) {
    const size_t found = out.find(" id=\"", at);
    if (found == std::string::npos) {
      prefixed.append(out, at);
      break;
    }
    prefixed.append(out, at, found + 5 - at);
    prefixed.append(id_prefix);
    at = found + 5;
  }
  return prefixed;
}

}  // namespace ckptsim::visualizer
