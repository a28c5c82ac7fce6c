#include "scenarios/random_job.h"

#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "scenarios/loader.h"
#include "simulator/prng.h"

namespace ckptsim::scenarios {
namespace {

using simulator::Prng;

constexpr int64_t kMillion = 1'000'000;

bool Coin(Prng& prng, int64_t ppm) { return prng.ChancePpm(ppm); }

template <typename T, size_t N>
const T& Pick(Prng& prng, const T (&items)[N]) {
  return items[prng.Below(N)];
}

struct Vertex {
  std::string name;
  int parallelism = 1;
  std::vector<int64_t> records;            // sources only, per subtask
  std::vector<std::string_view> kinds;     // chained operators, head first
};

struct Edge {
  int from = 0;
  int to = 0;
  std::string_view partitioning;
};

struct Job {
  std::vector<Vertex> vertices;
  std::vector<Edge> edges;
  bool has_union_state = false;
};

std::string_view Partitioning(Prng& prng, int from_parallelism, int to_parallelism) {
  static constexpr std::string_view kAny[] = {"hash", "rebalance", "rescale", "broadcast", "hash"};
  if (from_parallelism == to_parallelism && Coin(prng, 400'000)) return "forward";
  return Pick(prng, kAny);
}

// One pipeline: a bounded source and zero to three inner tasks. Returns the
// index of its last vertex, where a sink goes.
int AddPipeline(Prng& prng, Job& job, int index) {
  const std::string prefix(1, static_cast<char>('A' + index));
  Vertex source{.name = prefix + "src", .parallelism = static_cast<int>(prng.Range(1, 3))};
  for (int i = 0; i < source.parallelism; ++i) {
    // An empty split now and then: a source subtask that finishes at once.
    source.records.push_back(Coin(prng, 150'000) ? 0 : prng.Range(1, 40));
  }
  source.kinds.push_back("bounded_source");
  if (Coin(prng, 250'000)) source.kinds.push_back("map");
  job.vertices.push_back(std::move(source));
  int last = static_cast<int>(job.vertices.size()) - 1;
  const int inner = static_cast<int>(prng.Range(0, 3));
  static constexpr std::string_view kKinds[] = {"map",         "keyed_aggregate", "union_state",
                                                "broadcast_state", "buffering",   "event_time_window",
                                                "keyed_aggregate"};
  for (int k = 0; k < inner; ++k) {
    Vertex vertex{.name = fmt::format("{}{}", prefix, k + 1), .parallelism = static_cast<int>(prng.Range(1, 3))};
    const std::string_view kind = Pick(prng, kKinds);
    vertex.kinds.push_back(kind);
    if (kind == "union_state") job.has_union_state = true;
    if (Coin(prng, 200'000)) vertex.kinds.push_back("map");
    const std::string_view partitioning =
        Partitioning(prng, job.vertices[last].parallelism, vertex.parallelism);
    job.vertices.push_back(std::move(vertex));
    const int added = static_cast<int>(job.vertices.size()) - 1;
    job.edges.push_back(Edge{last, added, partitioning});
    last = added;
  }
  return last;
}

// A sink after `tail`; chained to it only if nothing else reads from it.
void AddSink(Prng& prng, Job& job, int tail, bool tail_has_outputs) {
  const std::string base = job.vertices[tail].name;  // a copy: push_back below may move the vertices
  if (Coin(prng, 650'000)) {
    // A 2PC sink, chained to the tail or a task of its own.
    if (Coin(prng, 500'000) && !tail_has_outputs && job.vertices[tail].kinds.front() != "bounded_source") {
      job.vertices[tail].kinds.push_back("two_phase_commit_sink");
      return;
    }
    Vertex sink{.name = base + "-sink", .parallelism = static_cast<int>(prng.Range(1, 3))};
    sink.kinds.push_back("two_phase_commit_sink");
    const std::string_view partitioning = Partitioning(prng, job.vertices[tail].parallelism, sink.parallelism);
    job.vertices.push_back(std::move(sink));
    job.edges.push_back(Edge{tail, static_cast<int>(job.vertices.size()) - 1, partitioning});
    return;
  }
  // Sink V2: a writer task and a committer task joined by a forward edge.
  Vertex writer{.name = base + "-writer", .parallelism = static_cast<int>(prng.Range(1, 3))};
  writer.kinds.push_back("sink_v2_writer");
  const int p = writer.parallelism;
  const std::string_view partitioning = Partitioning(prng, job.vertices[tail].parallelism, p);
  job.vertices.push_back(std::move(writer));
  const int w = static_cast<int>(job.vertices.size()) - 1;
  job.edges.push_back(Edge{tail, w, partitioning});
  Vertex committer{.name = base + "-commit", .parallelism = p};
  committer.kinds.push_back("sink_v2_committer");
  job.vertices.push_back(std::move(committer));
  job.edges.push_back(Edge{w, w + 1, "forward"});
}

std::string Records(const std::vector<int64_t>& records) {
  return fmt::format("[{}]", fmt::join(records, ", "));
}

}  // namespace

std::string RandomJobYaml(uint64_t seed) {
  Prng prng(seed, simulator::Stream::kRandomJob);
  Job job;
  const int pipelines = static_cast<int>(prng.Range(1, 3));
  std::vector<int> tails;
  for (int i = 0; i < pipelines; ++i) tails.push_back(AddPipeline(prng, job, i));
  // Now and then a later pipeline's last task also reads an earlier one's:
  // a two-input task, one region instead of two.
  std::vector<bool> feeds_other(tails.size(), false);
  for (size_t i = 1; i < tails.size(); ++i) {
    const int tail = tails[i];
    if (job.vertices[tail].kinds.front() == "bounded_source" || !Coin(prng, 400'000)) continue;
    const size_t other = prng.Below(i);
    job.edges.push_back(Edge{tails[other], tail, Partitioning(prng, job.vertices[tails[other]].parallelism,
                                                              job.vertices[tail].parallelism)});
    feeds_other[other] = true;
  }
  for (size_t i = 0; i < tails.size(); ++i) {
    // A pipeline that feeds another still gets a sink of its own half the time.
    if (!feeds_other[i] || Coin(prng, 500'000)) AddSink(prng, job, tails[i], feeds_other[i]);
  }

  const bool stop = Coin(prng, 350'000);
  const bool drain = Coin(prng, 500'000);
  const bool resume = !drain && Coin(prng, 600'000);
  const bool region = Coin(prng, 600'000);
  const int64_t interval = prng.Range(10, 60);
  const bool unaligned = Coin(prng, 300'000);
  const int64_t concurrent = Coin(prng, 250'000) ? 2 : 1;
  const int64_t fault_phase = prng.Range(100, 600);
  const int64_t stop_at = prng.Range(20, 200);

  // The shapes of the findings (see random_job.h) are left out.
  const bool failures_allowed = !(job.has_union_state && region);
  const bool union_stop = job.has_union_state && stop;

  std::string yaml = fmt::format("name: random\ndescription: the random job of seed {}\nvertices:\n", seed);
  for (const Vertex& v : job.vertices) {
    yaml += fmt::format("  - name: {}\n    parallelism: {}\n", v.name, v.parallelism);
    if (!v.records.empty()) yaml += fmt::format("    records: {}\n", Records(v.records));
    yaml += "    operators:\n";
    for (size_t k = 0; k < v.kinds.size(); ++k) {
      yaml += fmt::format("      - {{name: {}-{}, kind: {}}}\n", v.name, k, v.kinds[k]);
    }
  }
  if (!job.edges.empty()) {
    yaml += "edges:\n";
    for (const Edge& e : job.edges) {
      yaml += fmt::format("  - {{from: {}, to: {}, partitioning: {}}}\n", job.vertices[e.from].name,
                          job.vertices[e.to].name, e.partitioning);
    }
  }
  yaml += fmt::format("checkpointing: {{interval_ticks: {}, mode: {}, max_concurrent: {}}}\n", interval,
                      unaligned ? "unaligned" : "aligned", concurrent);
  yaml += fmt::format("recovery: {{strategy: {}, restarts_max: 10}}\n", region ? "region" : "full");

  std::vector<std::string> faults;
  if (failures_allowed && Coin(prng, 700'000)) {
    faults.push_back(fmt::format("subtask_failures_max: {}", prng.Range(1, 2)));
    faults.push_back(fmt::format("subtask_failure_ppm: {}", prng.Range(500, 20'000)));
  }
  if (failures_allowed && Coin(prng, 250'000)) {
    faults.push_back("task_manager_failures_max: 1");
    faults.push_back(fmt::format("task_manager_failure_ppm: {}", prng.Range(200, 5'000)));
  }
  if (!stop && Coin(prng, 400'000)) {
    faults.push_back(fmt::format("lost_notifications_max: {}", prng.Range(1, 2)));
    faults.push_back(fmt::format("lost_notification_ppm: {}", prng.Range(500, 20'000)));
  }
  if (Coin(prng, 400'000)) {
    faults.push_back(fmt::format("delayed_rpcs_max: {}", prng.Range(1, 3)));
    faults.push_back(fmt::format("rpc_delay_ppm: {}", prng.Range(1'000, 50'000)));
  }
  if (Coin(prng, 250'000)) {
    faults.push_back("checkpoint_timeouts_max: 1");
    faults.push_back(fmt::format("checkpoint_timeout_ppm: {}", prng.Range(500, 10'000)));
  }
  if (!faults.empty()) {
    static constexpr std::string_view kWindows[] = {"after_checkpoint_completed_ppm", "after_final_checkpoint_ppm",
                                                    "after_end_of_input_ppm", "during_stop_ppm",
                                                    "during_restore_ppm"};
    for (std::string_view window : kWindows) {
      if (Coin(prng, 500'000)) faults.push_back(fmt::format("{}: {}", window, prng.Range(100'000, kMillion)));
    }
    faults.push_back(fmt::format("fault_phase_ticks: {}", fault_phase));
    yaml += fmt::format("faults: {{{}}}\n", fmt::join(faults, ", "));
  }
  if (stop && !union_stop) {
    // A user who stops the job again after a failed stop (Flink does not).
    yaml += fmt::format(
        "stop_with_savepoint: {{at_tick: {}, drain: {}, resume: {}, resume_after_ticks: 30, retry_after_ticks: 100}}\n",
                        stop_at, drain ? "true" : "false", resume ? "true" : "false");
  }
  yaml += "limits: {max_steps: 400000, max_ticks: 40000}\nexpect: {terminates: true}\n";
  return yaml;
}

std::variant<simulator::RunConfig, ScenarioError> DrawRandomJob(uint64_t seed) {
  auto loaded = LoadScenarioText(RandomJobYaml(seed), fmt::format("random job of seed {}", seed));
  if (auto* config = std::get_if<simulator::RunConfig>(&loaded)) {
    config->scenario_name = kRandomJobName;
    config->description = fmt::format(
        "A random job per seed: one to three pipelines of every operator kind, a 2PC or Sink V2 sink, faults, "
        "aimed faults and a stop drawn per seed. This is the job of seed {}; `ckptsim sweep random` runs a "
        "different one for each seed.",
        seed);
    config->random_job = true;
  }
  return loaded;
}

}  // namespace ckptsim::scenarios
