// Named properties of the protocol (PROTOCOL.md section 10), checked over the
// states and trace events of a run. Each property is its own small checker;
// a PropertySet runs all of them after every step and at the end.
//
// A checker sees the state after a step and the events that step produced,
// in order. It records at most one violation (the first); the runner stops a
// run at the first safety violation.
#ifndef CKPTSIM_PROPERTIES_PROPERTY_H_
#define CKPTSIM_PROPERTIES_PROPERTY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/state.h"

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

class PropertyChecker {
 public:
  virtual ~PropertyChecker() = default;
  virtual PropertyId id() const = 0;
  virtual void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events) = 0;
  virtual void OnEnd(const model::System& system, const RunEnd& end) = 0;
  // The job was resumed into its new version (model/graph_change.h): subtask
  // and channel indices changed. A checker that can go on across the change
  // brings itself over and returns true; the others are replaced by a fresh
  // one built from `after` (which sees `after.graph_change`).
  virtual bool OnGraphChange(const model::System& after) {
    (void)after;
    return false;
  }
  const std::optional<Violation>& violation() const { return violation_; }

 protected:
  void Report(Violation violation) {
    if (!violation_) violation_ = std::move(violation);
  }

 private:
  std::optional<Violation> violation_;
};

std::unique_ptr<PropertyChecker> MakeExactlyOnceChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeNoDataLossChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeTopologicalFinishChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeChannelDisciplineChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeTransactionHygieneChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeLifecycleOrderChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeConsistentCutChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeSavepointCutChecker(const model::System& initial);
std::unique_ptr<PropertyChecker> MakeEventTimeChecker(const model::System& initial);

class PropertySet {
 public:
  explicit PropertySet(const model::System& initial);
  void OnStep(const model::System& system, int64_t step, std::span<const model::Event> events);
  void OnEnd(const model::System& system, const RunEnd& end);
  bool AnyViolated() const;
  // In PropertyId order: the first violation of each property that failed.
  std::vector<Violation> Violations() const;
  const std::vector<std::unique_ptr<PropertyChecker>>& checkers() const { return checkers_; }

 private:
  using Factory = std::unique_ptr<PropertyChecker> (*)(const model::System&);
  std::vector<Factory> factories_;  // by checker
  std::vector<std::unique_ptr<PropertyChecker>> checkers_;
};

// "Vertex[i]#seq via <lineage>" for reports.
std::string DescribeRecord(const model::JobGraph& graph, const model::RecordId& record);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_PROPERTY_H_
