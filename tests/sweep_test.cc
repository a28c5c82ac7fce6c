// Sweeps at scale (issue 4, "Sweeps"): a merge of shards summarises like one
// machine, --resume after an interrupted sweep summarises like an
// uninterrupted one, --swarm draws each seed's parameters deterministically,
// merge refuses bad lines, and the sometimes coverage table. Also the
// `swarm:` section of scenario files, with one malformed file per rule under
// tests/data/bad_swarm/.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "shell.h"
#include <nlohmann/json.hpp>

#include "scenarios/loader.h"
#include "simulator/config_json.h"
#include "simulator/swarm.h"

namespace ckptsim {
namespace {

using Json = nlohmann::json;

const std::string kDataDir = CKPTSIM_TEST_DATA_DIR;
const std::string kTinyLegacy = kDataDir + "/sweep/tiny-legacy.yaml";

// A scratch folder per test process, removed when it exits.
const std::filesystem::path& ScratchDir() {
  static const struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("ckptsim_sweep_test_" + std::to_string(::getpid()));
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } dir;
  return dir.path;
}

std::string Scratch(const std::string& name) {
  std::filesystem::create_directories(ScratchDir());
  return (ScratchDir() / name).string();
}

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

Outcome Cli(const std::string& arguments) {
  const std::string err_path = Scratch("stderr.txt");
  const testing::ShellOutcome shell = testing::RunShell(std::string(CKPTSIM_BINARY) + " " + arguments + " 2>" + err_path);
  Outcome outcome{.exit_code = shell.exit_code, .out = shell.out};
  std::ifstream err(err_path);
  outcome.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return outcome;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return lines;
}

// A --json summary without the figures that depend on the wall clock.
Json SummaryJson(const Outcome& outcome) {
  Json json = Json::parse(outcome.out, nullptr, false);
  if (json.is_discarded()) return Json("not JSON: " + outcome.out);
  for (const char* timing : {"seconds", "runs_per_second", "steps_per_second"}) {
    EXPECT_TRUE(json.contains(timing)) << timing;
    json.erase(timing);
  }
  return json;
}

// A text summary without its first line (what was swept or merged) and the throughput.
std::string SummaryText(const std::string& text) {
  std::string kept;
  std::vector<std::string> lines = Lines(text);
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].rfind("throughput:", 0) != 0) kept += lines[i] + "\n";
  }
  return kept;
}

TEST(Sweep, MergeOfThreeShardsEqualsOneMachine) {
  const std::string sweep = "sweep fig6 " + kTinyLegacy + " --seeds 24";
  const std::string all = Scratch("all.jsonl");
  const Outcome text = Cli(sweep + " --jobs 2 --out " + all);
  const Outcome json = Cli(sweep + " --jobs 2 --json");
  ASSERT_EQ(text.exit_code, 1) << text.out << text.err;  // tiny-legacy loses records
  ASSERT_EQ(json.exit_code, 1);
  std::string shards;
  std::vector<std::string> shard_files;
  for (int i = 0; i < 3; ++i) {
    shard_files.push_back(Scratch("shard" + std::to_string(i) + ".jsonl"));
    const Outcome shard = Cli(sweep + " --jobs 1 --shard " + std::to_string(i) + "/3 --out " + shard_files.back());
    ASSERT_EQ(shard.exit_code, 1) << shard.out << shard.err;
    shards += " " + shard_files.back();
  }
  const Outcome merged_text = Cli("merge" + shards);
  const Outcome merged_json = Cli("merge" + shards + " --json");
  EXPECT_EQ(merged_text.exit_code, 1) << merged_text.out << merged_text.err;
  EXPECT_EQ(merged_json.exit_code, 1);
  EXPECT_EQ(SummaryText(merged_text.out), SummaryText(text.out));
  EXPECT_EQ(SummaryJson(merged_json), SummaryJson(json));
  EXPECT_EQ(SummaryJson(merged_json)["seeds"], 48);
  EXPECT_NE(text.out.find("FAIL tiny-legacy (legacy) seed 1: P2"), std::string::npos) << text.out;
  // As a set of lines, the shards hold exactly what one machine wrote.
  std::vector<std::string> one = Lines(ReadFile(all));
  std::vector<std::string> split;
  for (const std::string& file : shard_files) {
    for (std::string& line : Lines(ReadFile(file))) split.push_back(std::move(line));
  }
  std::sort(one.begin(), one.end());
  std::sort(split.begin(), split.end());
  EXPECT_EQ(one.size(), 48u);
  EXPECT_EQ(one, split);
}

TEST(Sweep, ResumeAfterATruncatedLastLineGivesTheUninterruptedSummary) {
  const std::string sweep = "sweep fig6 wide --seeds 12 --jobs 2 --json";
  const std::string full = Scratch("full.jsonl");
  const Outcome uninterrupted = Cli(sweep + " --out " + full);
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.out << uninterrupted.err;
  const std::vector<std::string> lines = Lines(ReadFile(full));
  ASSERT_EQ(lines.size(), 24u);
  // An interrupted sweep: 15 whole lines, and half of the 16th.
  const std::string partial = Scratch("partial.jsonl");
  {
    std::ofstream out(partial, std::ios::binary);
    for (size_t i = 0; i < 15; ++i) out << lines[i] << "\n";
    out << lines[15].substr(0, lines[15].size() / 2);
  }
  const Outcome resumed = Cli(sweep + " --resume --out " + partial);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find(partial + ":16: dropped a truncated last line"), std::string::npos) << resumed.err;
  EXPECT_EQ(SummaryJson(resumed), SummaryJson(uninterrupted));
  EXPECT_EQ(ReadFile(partial), ReadFile(full));
  // Resuming a complete sweep runs nothing and changes nothing.
  const Outcome again = Cli("sweep fig6 wide --seeds 12 --jobs 2 --resume --out " + partial);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 run(s) on 2 thread(s)"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("24 run(s) resumed"), std::string::npos) << again.out;
  EXPECT_EQ(ReadFile(partial), ReadFile(full));
  // The file of another sweep is refused, not mixed in.
  const Outcome other = Cli("sweep fig6 wide --seeds 12 --variant legacy --resume --out " + partial);
  EXPECT_EQ(other.exit_code, 2) << other.out << other.err;
  EXPECT_NE(other.err.find(partial + ":1: a run of scenario 'fig6', variant flip147"), std::string::npos) << other.err;
  EXPECT_EQ(std::count(other.err.begin(), other.err.end(), '\n'), 1) << other.err;
}

// The lines of a --swarm sweep, by seed.
std::map<uint64_t, Json> SwarmLines(const std::string& path) {
  std::map<uint64_t, Json> by_seed;
  for (const std::string& line : Lines(ReadFile(path))) {
    Json json = Json::parse(line);
    by_seed[json["seed"].get<uint64_t>()] = json;
  }
  return by_seed;
}

TEST(Sweep, SwarmIsDeterministicOnOneAndTwoThreadsAndVariesParameters) {
  const std::string one = Scratch("swarm1.jsonl");
  const std::string two = Scratch("swarm2.jsonl");
  ASSERT_EQ(Cli("sweep fig6 --swarm --seeds 16 --jobs 1 --out " + one).exit_code, 0);
  ASSERT_EQ(Cli("sweep fig6 --swarm --seeds 16 --jobs 2 --out " + two).exit_code, 0);
  EXPECT_EQ(ReadFile(one), ReadFile(two));
  const std::map<uint64_t, Json> lines = SwarmLines(one);
  ASSERT_EQ(lines.size(), 16u);
  std::set<std::string> drawn;
  std::set<int> parallelism_of_a;
  std::set<std::string> modes;
  std::set<int64_t> intervals;
  for (const auto& [seed, line] : lines) {
    const Json& swarm = line["swarm"];
    ASSERT_TRUE(swarm.is_object()) << line.dump();
    drawn.insert(swarm.dump());
    parallelism_of_a.insert(swarm["parallelism"]["A"].get<int>());
    modes.insert(swarm["checkpoint_mode"].get<std::string>());
    intervals.insert(swarm["checkpoint_interval_ticks"].get<int64_t>());
    // Forward edges A->B, C->D, D->G and E->F: each group shares one parallelism.
    const Json& p = swarm["parallelism"];
    EXPECT_EQ(p["A"], p["B"]);
    EXPECT_EQ(p["C"], p["D"]);
    EXPECT_EQ(p["C"], p["G"]);
    EXPECT_EQ(p["E"], p["F"]);
    EXPECT_EQ(swarm["records"]["A"].size(), p["A"].get<size_t>());
    EXPECT_NE(line["replay"].get<std::string>().find(" --swarm"), std::string::npos);
  }
  EXPECT_EQ(drawn.size(), 16u);
  EXPECT_EQ(parallelism_of_a, (std::set<int>{1, 2}));
  EXPECT_EQ(modes, (std::set<std::string>{"aligned", "unaligned"}));
  EXPECT_GT(intervals.size(), 8u);
  std::set<std::string> hashes;
  for (const auto& [seed, line] : lines) hashes.insert(line["trace_hash"].get<std::string>());
  EXPECT_EQ(hashes.size(), 16u);

  // `run --swarm` replays seed 5 exactly, and its trace header records the draw.
  const std::string trace = Scratch("swarm-trace.jsonl");
  const Outcome run = Cli("run fig6 --seed 5 --swarm --json --trace " + trace);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Json replayed = Json::parse(run.out);
  EXPECT_EQ(replayed["trace_hash"], lines.at(5)["trace_hash"]);
  EXPECT_EQ(replayed["swarm"], lines.at(5)["swarm"]);
  EXPECT_EQ(replayed["replay"], "ckptsim run fig6 --seed 5 --swarm");
  const Json header = Json::parse(Lines(ReadFile(trace)).front());
  EXPECT_EQ(header["scenario"]["swarm"], lines.at(5)["swarm"]);
  EXPECT_EQ(header["scenario"]["vertices"][0]["parallelism"], lines.at(5)["swarm"]["parallelism"]["A"]);
  const Outcome replay = Cli("replay " + trace);
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("MATCH"), std::string::npos) << replay.out;
}

TEST(Sweep, MergeRefusesMalformedLinesAndContradictingRuns) {
  const std::string good = Scratch("good.jsonl");
  ASSERT_EQ(Cli("sweep fig6 --seeds 3 --jobs 1 --out " + good).exit_code, 0);
  const std::vector<std::string> lines = Lines(ReadFile(good));
  ASSERT_EQ(lines.size(), 3u);
  const auto write = [](const std::string& name, const std::string& text) {
    const std::string path = Scratch(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  };
  Json without_hash = Json::parse(lines[1]);
  without_hash.erase("trace_hash");
  Json other_hash = Json::parse(lines[1]);
  other_hash["trace_hash"] = "0123456789abcdef";
  const std::string not_json = write("not-json.jsonl", lines[0] + "\n{\"seed\": 2,\n" + lines[2] + "\n");
  const std::string missing = write("missing.jsonl", lines[0] + "\n" + without_hash.dump() + "\n");
  const std::string truncated = write("truncated.jsonl", lines[0] + "\n" + lines[1].substr(0, 40));
  const std::string conflict = write("conflict.jsonl", other_hash.dump() + "\n");
  const std::pair<std::string, std::string> cases[] = {
      {not_json, not_json + ":2: malformed run line: not valid JSON"},
      {missing, missing + ":2: malformed run line: missing 'trace_hash'"},
      {truncated, truncated + ":2: truncated line"},
      {good + " " + conflict, conflict + ":1: run fig6 (flip147) seed 2 has trace hash 0123456789abcdef, but " +
                                  good + ":2 has"},
      {"/no/such/file.jsonl", "/no/such/file.jsonl: cannot read"},
  };
  for (const auto& [files, expected] : cases) {
    const Outcome o = Cli("merge " + files);
    EXPECT_EQ(o.exit_code, 2) << files << "\n" << o.out << o.err;
    EXPECT_NE(o.err.find(expected), std::string::npos) << files << "\n" << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    EXPECT_EQ(o.out, "");
  }
  // The same run twice with the same hash (overlapping files) counts once.
  const Outcome twice = Cli("merge " + good + " " + good + " --json");
  EXPECT_EQ(twice.exit_code, 0) << twice.out << twice.err;
  EXPECT_EQ(SummaryJson(twice)["seeds"], 3);
}

TEST(Sweep, SometimesTableShowsTheCornersFig6Reaches) {
  const Outcome text = Cli("sweep fig6 --seeds 8 --jobs 2");
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  const auto row = [&](const std::string& fact) {
    const size_t at = text.out.find("\n  " + fact + " ");
    return at == std::string::npos ? "" : text.out.substr(at + 1, text.out.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(row("checkpoint completed with finished subtasks").find(" 8 run(s)"), std::string::npos) << text.out;
  EXPECT_TRUE(row("subtask deployed finished on restore").ends_with(" never")) << text.out;
  const Outcome json = Cli("sweep fig6 --seeds 8 --jobs 2 --json");
  const Json sometimes = SummaryJson(json)["sometimes"];
  EXPECT_EQ(sometimes["checkpoint_completed_with_finished_subtasks"]["runs"], 8);
  EXPECT_GE(sometimes["final_checkpoint_released_a_subtask"]["total"].get<int64_t>(), 8);
  EXPECT_EQ(sometimes["subtask_deployed_finished_on_restore"]["runs"], 0);
  // One run shows its own counts, in text and JSON.
  const Outcome run_text = Cli("run fig6 --seed 2");
  EXPECT_NE(run_text.out.find("\nsometimes: checkpoint completed with finished subtasks x"), std::string::npos)
      << run_text.out;
  const Json run_json = Json::parse(Cli("run fig6 --seed 2 --json").out);
  EXPECT_GT(run_json["sometimes"]["final_checkpoint_released_a_subtask"].get<int64_t>(), 0);
}

TEST(Sweep, StopOnFirstReportsTheSameRunsOnOneAndTwoThreads) {
  const std::string one = Scratch("stop1.jsonl");
  const std::string two = Scratch("stop2.jsonl");
  const Outcome a = Cli("sweep " + kTinyLegacy + " --seeds 40 --stop-on-first --jobs 1 --out " + one);
  const Outcome b = Cli("sweep " + kTinyLegacy + " --seeds 40 --stop-on-first --jobs 2 --out " + two);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_EQ(Lines(ReadFile(one)).size(), 1u);
  EXPECT_EQ(ReadFile(one), ReadFile(two));
  EXPECT_EQ(SummaryText(a.out), SummaryText(b.out));
}

// --- the swarm draw and the `swarm:` section ---

constexpr std::string_view kDeclared = R"(name: declared
vertices:
  - name: A
    parallelism: 2
    records: [5, 7]
    task_managers: [0, 1]
    operators:
      - {name: A-source, kind: bounded_source}
  - name: B
    parallelism: 2
    operators:
      - {name: B-map, kind: map}
  - name: K
    parallelism: 3
    operators:
      - {name: K-sink, kind: two_phase_commit_sink}
edges:
  - {from: A, to: B, partitioning: forward}
  - {from: B, to: K, partitioning: hash}
faults:
  subtask_failures_max: 1
  subtask_failure_ppm: 100
  lost_notifications_max: 1
  fault_phase_ticks: 100
swarm:
  parallelism:
    A: [1, 4]
    B: [2, 6]
  records: [10, 20]
  rpc_latency_ticks: [3, 9]
  checkpoint_interval_ticks: [5, 7]
  checkpoint_mode: unaligned
  subtask_failure_ppm: [1000, 2000]
  fault_omission_ppm: 250000
)";

simulator::RunConfig Load(std::string_view yaml) {
  auto loaded = scenarios::LoadScenarioText(yaml, "declared.yaml");
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString();
    return {};
  }
  return std::get<simulator::RunConfig>(loaded);
}

TEST(Swarm, SectionReachesTheRunConfig) {
  const simulator::RunConfig config = Load(kDeclared);
  const simulator::SwarmOptions& swarm = config.swarm;
  EXPECT_TRUE(swarm.declared);
  ASSERT_EQ(swarm.parallelism.size(), 3u);
  EXPECT_EQ(swarm.parallelism[0]->min, 1);
  EXPECT_EQ(swarm.parallelism[1]->max, 6);
  EXPECT_FALSE(swarm.parallelism[2].has_value());
  EXPECT_EQ(swarm.records[0]->min, 10);
  EXPECT_FALSE(swarm.records[1].has_value());  // not a bounded source
  EXPECT_EQ(swarm.rpc_latency_ticks->max, 9);
  EXPECT_FALSE(swarm.channel_latency_ticks.has_value());
  EXPECT_EQ(swarm.checkpoint_modes, std::vector<model::CheckpointMode>{model::CheckpointMode::kUnaligned});
  EXPECT_EQ(swarm.subtask_failure_ppm->min, 1000);
  EXPECT_FALSE(swarm.lost_notification_ppm.has_value());
  EXPECT_EQ(swarm.fault_omission_ppm, 250000);
  // An empty section is a section left out: the defaults apply.
  const std::string without(kDeclared.substr(0, kDeclared.find("swarm:")));
  EXPECT_FALSE(Load(without + "swarm:\n").swarm.declared);
  EXPECT_FALSE(Load(without + "swarm: {}\n").swarm.declared);
}

TEST(Swarm, EveryKeyReachesTheRunConfig) {
  const std::string without(kDeclared.substr(0, kDeclared.find("faults:")));
  const simulator::RunConfig config = Load(without + R"(faults:
  subtask_failures_max: 1
  task_manager_failures_max: 1
  lost_notifications_max: 1
  delayed_rpcs_max: 1
  checkpoint_timeouts_max: 1
  fault_phase_ticks: 100
swarm:
  parallelism: [1, 3]
  records: {A: [0, 4]}
  channel_latency_ticks: [1, 2]
  rpc_latency_ticks: [3, 4]
  processing_ticks: [5, 6]
  source_emit_ticks: 7
  checkpoint_interval_ticks: [8, 9]
  checkpoint_mode: [unaligned, aligned]
  subtask_failure_ppm: [10, 11]
  task_manager_failure_ppm: [12, 13]
  lost_notification_ppm: [14, 15]
  rpc_delay_ppm: [16, 17]
  checkpoint_timeout_ppm: [18, 19]
  fault_omission_ppm: 20
)");
  const simulator::SwarmOptions& swarm = config.swarm;
  ASSERT_TRUE(swarm.declared);
  for (const auto& range : swarm.parallelism) EXPECT_EQ(range->max, 3);
  EXPECT_EQ(swarm.records[0]->max, 4);
  const std::pair<const std::optional<simulator::SwarmRange>*, int64_t> firsts[] = {
      {&swarm.channel_latency_ticks, 1}, {&swarm.rpc_latency_ticks, 3},         {&swarm.processing_ticks, 5},
      {&swarm.source_emit_ticks, 7},     {&swarm.checkpoint_interval_ticks, 8}, {&swarm.subtask_failure_ppm, 10},
      {&swarm.task_manager_failure_ppm, 12}, {&swarm.lost_notification_ppm, 14}, {&swarm.rpc_delay_ppm, 16},
      {&swarm.checkpoint_timeout_ppm, 18}};
  for (const auto& [range, min] : firsts) {
    ASSERT_TRUE(range->has_value()) << min;
    EXPECT_EQ((*range)->min, min);
  }
  EXPECT_EQ(swarm.source_emit_ticks->max, 7);  // a single number is [n, n]
  EXPECT_EQ(swarm.checkpoint_modes.size(), 2u);
  EXPECT_EQ(swarm.fault_omission_ppm, 20);
}

TEST(Swarm, DrawStaysWithinTheDeclaredRangesAndVariesOnlyThem) {
  const simulator::RunConfig config = Load(kDeclared);
  std::set<int> parallelisms;
  int omitted = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const simulator::RunConfig drawn = simulator::DrawSwarm(config, seed);
    EXPECT_TRUE(drawn.swarm_drawn);
    const auto& vertices = drawn.graph_spec.vertices;
    // A and B share the draw, within the intersection [2, 4]; K stays.
    EXPECT_EQ(vertices[0].parallelism, vertices[1].parallelism);
    EXPECT_GE(vertices[0].parallelism, 2);
    EXPECT_LE(vertices[0].parallelism, 4);
    parallelisms.insert(vertices[0].parallelism);
    EXPECT_EQ(vertices[2].parallelism, 3);
    ASSERT_EQ(vertices[0].records_per_subtask.size(), static_cast<size_t>(vertices[0].parallelism));
    for (int64_t records : vertices[0].records_per_subtask) {
      EXPECT_GE(records, 10);
      EXPECT_LE(records, 20);
    }
    ASSERT_EQ(vertices[0].task_manager_of_subtask.size(), static_cast<size_t>(vertices[0].parallelism));
    EXPECT_EQ(vertices[0].task_manager_of_subtask[1], 1);
    EXPECT_EQ(drawn.graph->subtask_count(), 2 * vertices[0].parallelism + 3);
    const simulator::TickRange rpc = drawn.timing.rpc_latency_ticks;
    EXPECT_TRUE(3 <= rpc.min && rpc.min <= rpc.max && rpc.max <= 9) << rpc.min << " " << rpc.max;
    EXPECT_EQ(drawn.timing.channel_latency_ticks.min, config.timing.channel_latency_ticks.min);
    EXPECT_EQ(drawn.timing.channel_latency_ticks.max, config.timing.channel_latency_ticks.max);
    EXPECT_TRUE(drawn.timing.checkpoint_interval_ticks >= 5 && drawn.timing.checkpoint_interval_ticks <= 7);
    EXPECT_EQ(drawn.protocol.checkpoint_mode, model::CheckpointMode::kUnaligned);
    const int64_t rate = drawn.faults.subtask_failure_ppm;
    if (rate == 0) {
      ++omitted;
    } else {
      EXPECT_TRUE(rate >= 1000 && rate <= 2000) << rate;
    }
    EXPECT_EQ(drawn.faults.lost_notification_ppm, 0);
  }
  EXPECT_EQ(parallelisms, (std::set<int>{2, 3, 4}));
  EXPECT_GT(omitted, 25);  // about a quarter of 200
  EXPECT_LT(omitted, 75);
}

TEST(Swarm, DrawIsAFunctionOfTheSeedAndSurvivesTheTraceHeader) {
  const simulator::RunConfig config = Load(kDeclared);
  const auto a = simulator::ConfigToJson(simulator::DrawSwarm(config, 7));
  EXPECT_EQ(simulator::ConfigToJson(simulator::DrawSwarm(config, 7)), a);
  EXPECT_NE(simulator::ConfigToJson(simulator::DrawSwarm(config, 8)), a);
  ASSERT_TRUE(a.contains("swarm"));
  std::string error;
  const std::optional<simulator::RunConfig> restored = simulator::ConfigFromJson(a, &error);
  ASSERT_TRUE(restored.has_value()) << error;
  EXPECT_TRUE(restored->swarm_drawn);
  EXPECT_EQ(simulator::ConfigToJson(*restored), a);
  EXPECT_FALSE(simulator::ConfigToJson(config).contains("swarm"));
}

TEST(Swarm, DefaultsAreDerivedFromTheScenario) {
  auto loaded = scenarios::LoadScenario("failover-after-finish");
  ASSERT_TRUE(std::holds_alternative<simulator::RunConfig>(loaded));
  const simulator::RunConfig& config = std::get<simulator::RunConfig>(loaded);
  ASSERT_FALSE(config.swarm.declared);
  const simulator::SwarmOptions swarm = simulator::DefaultSwarm(config);
  for (size_t v = 0; v < config.graph_spec.vertices.size(); ++v) {
    EXPECT_EQ(swarm.parallelism[v]->min, 1);
    EXPECT_EQ(swarm.parallelism[v]->max, std::max(2, config.graph_spec.vertices[v].parallelism));
  }
  EXPECT_EQ(swarm.records[0]->max, 8);      // Short
  EXPECT_FALSE(swarm.records[1].has_value());  // ShortSink
  EXPECT_EQ(swarm.checkpoint_interval_ticks->min, 10);
  EXPECT_EQ(swarm.checkpoint_interval_ticks->max, 80);
  EXPECT_EQ(swarm.checkpoint_modes.size(), 2u);
  EXPECT_EQ(swarm.subtask_failure_ppm->max, 6000);
  EXPECT_FALSE(swarm.checkpoint_timeout_ppm.has_value());  // no budget
  EXPECT_EQ(swarm.channel_latency_ticks->min, config.timing.channel_latency_ticks.min);
  EXPECT_EQ(swarm.channel_latency_ticks->max, 2 * config.timing.channel_latency_ticks.max);
}

// One malformed `swarm:` section per file; "# <- error" marks the line the
// error must name, the first line says the rule.
struct BadSwarm {
  const char* file;
  const char* phrase;
};

const BadSwarm kBadSwarms[] = {
    {"unknown_key", "swarm: unknown key 'paralelism' (did you mean 'parallelism'?)"},
    {"unknown_vertex", "swarm: parallelism: unknown key 'X'; allowed keys: A, B, K"},
    {"records_on_non_source", "swarm: records: B: only a vertex whose head operator is a bounded_source has records"},
    {"forward_ranges_disjoint", "vertex 'B': range [3, 4] leaves no parallelism in common with vertex 'A' ([1, 2])"},
    {"fault_rate_without_budget", "swarm: subtask_failure_ppm: has no effect: faults.subtask_failures_max is 0"},
    {"range_min_greater_than_max", "swarm: checkpoint_interval_ticks: min 50 is greater than max 10"},
    {"zero_parallelism", "swarm: parallelism[0]: must be at least 1, got 0"},
    {"unknown_mode", "unknown checkpoint mode 'unalinged' (did you mean 'unaligned'?)"},
    {"mode_listed_twice", "swarm: checkpoint_mode[1]: 'aligned' is listed twice"},
    {"interval_with_checkpointing_disabled",
     "swarm: checkpoint_interval_ticks: has no effect: checkpointing is disabled"},
    {"omission_out_of_range", "swarm: fault_omission_ppm: must be at most 1000000, got 2000000"},
    {"records_not_a_range", "swarm: records: A: expected [min, max], got a list of 3 values"},
};

void PrintTo(const BadSwarm& bad, std::ostream* out) { *out << bad.file << ".yaml"; }

class BadSwarmTest : public ::testing::TestWithParam<BadSwarm> {};

TEST_P(BadSwarmTest, ErrorNamesTheMarkedLineAndTheRule) {
  const std::string path = kDataDir + "/bad_swarm/" + GetParam().file + ".yaml";
  int marked = 0;
  const std::vector<std::string> lines = Lines(ReadFile(path));
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("# <- error") != std::string::npos) marked = static_cast<int>(i) + 1;
  }
  ASSERT_GT(marked, 0) << path << " has no '# <- error' line";
  auto loaded = scenarios::LoadScenarioFile(path);
  ASSERT_TRUE(std::holds_alternative<scenarios::ScenarioError>(loaded)) << path << " loads";
  const scenarios::ScenarioError& error = std::get<scenarios::ScenarioError>(loaded);
  EXPECT_EQ(error.line, marked) << error.ToString();
  EXPECT_NE(error.message.find(GetParam().phrase), std::string::npos)
      << "message: " << error.message << "\nexpected phrase: " << GetParam().phrase;
}

INSTANTIATE_TEST_SUITE_P(BadSwarms, BadSwarmTest, ::testing::ValuesIn(kBadSwarms),
                         [](const ::testing::TestParamInfo<BadSwarm>& param_info) { return std::string(param_info.param.file); });

TEST(BadSwarmFolderTest, EveryFileHasAnEntryInTheTable) {
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir + "/bad_swarm")) {
    const std::string stem = entry.path().stem().string();
    const bool listed = std::any_of(std::begin(kBadSwarms), std::end(kBadSwarms),
                                    [&](const BadSwarm& bad) { return stem == bad.file; });
    EXPECT_TRUE(listed) << entry.path() << " is not checked by BadSwarmTest";
  }
}

}  // namespace
}  // namespace ckptsim
