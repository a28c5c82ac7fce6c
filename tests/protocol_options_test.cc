// Every field of model::ProtocolOptions is reachable from a scenario file
// (issue 12: the Sink V2 end-of-input option was reachable from no key), is
// carried by the trace header, and is listed in `ckptsim run --help`.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>

#include <gtest/gtest.h>

#include "model/fields.h"
#include "model/options.h"
#include "scenarios/loader.h"
#include "scenarios/options_reader.h"
#include "shell.h"
#include "simulator/config_json.h"

namespace ckptsim::testing {
namespace {

constexpr std::string_view kJob = R"(name: protocol-options
vertices:
  - {name: A, parallelism: 2, records: 5, operators: [{name: a, kind: bounded_source}]}
  - {name: B, parallelism: 2, operators: [{name: b, kind: two_phase_commit_sink}]}
edges:
  - {from: A, to: B, partitioning: forward}
)";

// A value other than the default for each field, as the scenario text that sets it.
const std::map<std::string, std::string>& NonDefaultSettings() {
  static const std::map<std::string, std::string> settings{
      {"variant", "variant: legacy\n"},
      {"checkpointing_enabled", "checkpointing: {enabled: false}\n"},
      {"checkpoints_after_tasks_finish", "checkpointing: {checkpoints_after_tasks_finish: false}\n"},
      {"immediate_final_checkpoint", "checkpointing: {immediate_final_checkpoint: false}\n"},
      {"max_concurrent_checkpoints", "checkpointing: {max_concurrent: 3}\n"},
      {"checkpoint_mode", "checkpointing: {mode: unaligned}\n"},
      {"failover_strategy", "recovery: {strategy: full}\n"},
      {"restart_attempts", "recovery: {restarts_max: 2}\n"},
      {"sink_v2_end_of_input_sentinel", "protocol: {sink_v2_end_of_input_sentinel: true}\n"},
      {"allow_non_restored_state", "stop_with_savepoint: {at_tick: 40, allow_non_restored_state: true}\n"},
  };
  return settings;
}

simulator::RunConfig Load(const std::string& yaml) {
  auto loaded = scenarios::LoadScenarioText(yaml, "protocol-options.yaml");
  if (auto* error = std::get_if<scenarios::ScenarioError>(&loaded)) {
    ADD_FAILURE() << error->ToString() << "\n" << yaml;
    return {};
  }
  return std::get<simulator::RunConfig>(loaded);
}

// Which fields of the two options differ, by position in the field list.
std::vector<size_t> DifferingFields(const model::ProtocolOptions& a, const model::ProtocolOptions& b) {
  std::vector<size_t> out;
  size_t index = 0;
  std::apply([&](auto... member) { ((a.*member == b.*member ? void() : out.push_back(index), ++index), ...); },
             model::ProtocolOptions::StateFields());
  return out;
}

TEST(ProtocolOptions, EveryFieldHasAScenarioKey) {
  const auto keys = scenarios::ProtocolOptionKeys();
  ASSERT_EQ(keys.size(), std::tuple_size_v<decltype(model::ProtocolOptions::StateFields())>);
  for (const scenarios::ProtocolOptionKey& key : keys) {
    EXPECT_TRUE(NonDefaultSettings().contains(std::string(key.field))) << key.field << ": add it to this test";
  }
}

// Each key, set alone, changes exactly its own field, and the trace header
// carries it, so a replay runs with it.
TEST(ProtocolOptions, EachFieldSetFromYamlChangesTheLoadedConfigAndSurvivesTheTraceHeader) {
  const simulator::RunConfig defaults = Load(std::string(kJob));
  const auto keys = scenarios::ProtocolOptionKeys();
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string field(keys[i].field);
    const std::string& setting = NonDefaultSettings().at(field);
    // The documented key is the one the setting uses: `section.key` or a top-level key.
    const std::string_view key = keys[i].key;
    const std::string leaf(key.substr(key.find('.') == std::string_view::npos ? 0 : key.find('.') + 1));
    EXPECT_NE(setting.find(leaf + ":"), std::string::npos) << field << " is documented as " << key;
    const simulator::RunConfig config = Load(std::string(kJob) + setting);
    EXPECT_EQ(DifferingFields(defaults.protocol, config.protocol), std::vector<size_t>{i}) << field;
    std::string error;
    const std::optional<simulator::RunConfig> replayed =
        simulator::ConfigFromJson(simulator::ConfigToJson(config), &error);
    ASSERT_TRUE(replayed.has_value()) << error;
    EXPECT_TRUE(replayed->protocol == config.protocol) << field << " is lost in the trace header";
  }
}

// Traces written before the `protocol` section and allow_non_restored_state
// existed still read, with the defaults those runs had.
TEST(ProtocolOptions, AHeaderWithoutTheNewKeysReadsWithTheirDefaults) {
  nlohmann::ordered_json json = simulator::ConfigToJson(Load(std::string(kJob)));
  json.erase("protocol");
  json["stop_with_savepoint"].erase("allow_non_restored_state");
  std::string error;
  const std::optional<simulator::RunConfig> config = simulator::ConfigFromJson(json, &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_FALSE(config->protocol.sink_v2_end_of_input_sentinel);
  EXPECT_FALSE(config->protocol.allow_non_restored_state);
}

TEST(ProtocolOptions, UnknownKeyOfTheProtocolSectionIsRefusedAtItsLine) {
  auto loaded = scenarios::LoadScenarioText(std::string(kJob) + "protocol:\n  sink_v2_sentinel: true\n", "p.yaml");
  ASSERT_TRUE(std::holds_alternative<scenarios::ScenarioError>(loaded));
  const std::string message = std::get<scenarios::ScenarioError>(loaded).ToString();
  EXPECT_NE(message.find("p.yaml:8:"), std::string::npos) << message;
  EXPECT_NE(message.find("sink_v2_end_of_input_sentinel"), std::string::npos) << message;
}

TEST(ProtocolOptions, RunHelpListsEveryKey) {
  const ShellOutcome help = RunCkptsim("run --help");
  EXPECT_EQ(help.exit_code, 0) << help.out;
  for (const scenarios::ProtocolOptionKey& key : scenarios::ProtocolOptionKeys()) {
    EXPECT_NE(help.out.find(std::string(key.key)), std::string::npos) << key.key << "\n" << help.out;
  }
}

// The README's finding on Sink V2 before FLINK-37605 runs from a scenario
// file now: seed 3 commits a record twice; the same seed of the built-in
// sink-v2 scenario, with current Flink's tagging, holds.
TEST(ProtocolOptions, TheSinkV2EndOfInputSentinelFindingRunsFromItsScenarioFile) {
  const ShellOutcome finding =
      RunCkptsim("run " + std::string(CKPTSIM_SOURCE_DIR) + "/scenarios/findings/sink-v2-end-of-input-sentinel.yaml "
                 "--seed 3");
  EXPECT_EQ(finding.exit_code, 1) << finding.out;
  EXPECT_NE(finding.out.find("P1 exactly-once         VIOLATED"), std::string::npos) << finding.out;
  EXPECT_EQ(RunCkptsim("run sink-v2 --seed 3").exit_code, 0);
}

}  // namespace
}  // namespace ckptsim::testing
