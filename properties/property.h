// Named properties of the protocol (docs/protocol.md section 10), checked over the
// states and trace events of a run. Each property is its own small checker;
// a PropertySet runs all of them after every step and at the end.
//
// A checker sees the state after a step and the events that step produced,
// in order. It records at most one violation (the first); the runner stops a
// run at the first safety violation.
#ifndef CKPTSIM_PROPERTIES_PROPERTY_H_
#define CKPTSIM_PROPERTIES_PROPERTY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/state.h"
#include "properties/history.h"

namespace ckptsim::properties {

enum class PropertyId : uint8_t {
  kExactlyOnce,         // P1
  kNoDataLoss,          // P2
  kTopologicalFinish,   // P3
  kTransactionHygiene,  // P4
  kChannelDiscipline,   // P5
  kLifecycleOrder,      // P6
  kConsistentCut,       // P7
  kSavepointCut,        // P8
  kRestoredState,       // P9
  kTermination,         // L1 (liveness, two-phase runs)
  kCheckpointProgress,  // L2 (liveness, two-phase runs)
  kEventTime,           // L3
};

struct PropertyInfo {
  PropertyId id;
  std::string_view code;         // "P1"
  std::string_view name;         // "exactly-once"
  std::string_view description;  // one line
};
const std::vector<PropertyInfo>& AllProperties();
const PropertyInfo& Info(PropertyId id);
std::optional<PropertyId> ParseProperty(std::string_view code_or_name);

struct Violation {
  PropertyId property;
  int64_t step = 0;
  std::string summary;               // one line
  std::vector<std::string> details;  // actors, records, checkpoints involved
};

// How a run ended, for the end-of-run checks.
struct RunEnd {
  bool job_finished = false;  // every subtask FINISHED
  bool stopped_with_drain = false;
  bool stopped_without_drain = false;  // FINISHED by stop-with-savepoint without drain: nothing promised
  int64_t step = 0;
};

inline constexpr size_t kPropertyCount = static_cast<size_t>(PropertyId::kEventTime) + 1;

// The first violation of each property, by PropertyId.
class Verdicts {
 public:
  bool Violated(PropertyId id) const { return first_[static_cast<size_t>(id)].has_value(); }
  bool Any() const;
  const std::optional<Violation>& Of(PropertyId id) const { return first_[static_cast<size_t>(id)]; }
  // Keeps only the first violation of a property.
  void Report(Violation violation);
  // In PropertyId order.
  std::vector<Violation> All() const;
  void Clear() { first_ = {}; }

 private:
  std::array<std::optional<Violation>, kPropertyCount> first_;
};

// Indexes one linear run may keep to check faster (the simulator's): what P1
// saw become visible, the prefix of records P7 already settled. Opaque; a
// check gives the same verdict with or without them.
struct StepCaches;
struct StepCachesDeleter {
  void operator()(StepCaches* caches) const;
};
using StepCachesPtr = std::unique_ptr<StepCaches, StepCachesDeleter>;
StepCachesPtr MakeStepCaches();

// Checks one step of a run against every safety property not yet violated:
// `after` is the state the step left, `events` what it did, in order.
// Updates `history`; records violations in `verdicts`. `caches`, if given,
// must have seen every earlier step of the same run.
void CheckStep(const model::System& after, std::span<const model::Event> events, int64_t step, History& history,
               Verdicts& verdicts, StepCaches* caches = nullptr);
// Only one property (tests of a single rule).
void CheckStepOf(PropertyId id, const model::System& after, std::span<const model::Event> events, int64_t step,
                 History& history, Verdicts& verdicts, StepCaches* caches = nullptr);

// The end-of-run checks (P2, and the parts of P4 and P6 about how a run ends).
void CheckEnd(const model::System& final_state, const RunEnd& end, const History& history, Verdicts& verdicts);
void CheckEndOf(PropertyId id, const model::System& final_state, const RunEnd& end, const History& history,
                Verdicts& verdicts);

// One property over a run, fed step by step: for tests of a single rule.
class PropertyChecker {
 public:
  PropertyChecker(PropertyId id, const model::System& initial);
  PropertyId id() const { return id_; }
  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events);
  void OnEnd(const model::System& system, const RunEnd& end);
  const std::optional<Violation>& violation() const { return verdicts_.Of(id_); }

 private:
  PropertyId id_;
  History history_;
  Verdicts verdicts_;
  StepCachesPtr caches_;
};

std::unique_ptr<PropertyChecker> MakeExactlyOnceChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeNoDataLossChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeTopologicalFinishChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeChannelDisciplineChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeTransactionHygieneChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeLifecycleOrderChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeConsistentCutChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeSavepointCutChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeRestoredStateChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeEventTimeChecker(const model::System& initial);

// Every safety property over one linear run (the simulator's driver): a
// History, the verdicts and the caches of that run.
class PropertySet {
 public:
  explicit PropertySet(const model::System& initial);
  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events);
  void OnEnd(const model::System& system, const RunEnd& end);
  bool AnyViolated() const { return verdicts_.Any(); }
  // In PropertyId order: the first violation of each property that failed.
  std::vector<Violation> Violations() const { return verdicts_.All(); }
  const History& history() const { return history_; }

 private:
  History history_;
  Verdicts verdicts_;
  StepCachesPtr caches_;
};

// "Vertex[i]#seq via <lineage>" for reports.
std::string DescribeRecord(const model::JobGraph& graph, const model::RecordId& record);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_PROPERTY_H_
