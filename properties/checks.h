// Internal to properties/: one check function per property (one file each),
// and the optional caches a linear run keeps. Nothing outside properties/
// includes this header.
#ifndef CKPTSIM_PROPERTIES_CHECKS_H_
#define CKPTSIM_PROPERTIES_CHECKS_H_

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "properties/carry_over.h"
#include "properties/history.h"
#include "properties/property.h"

namespace ckptsim::properties {

struct StepContext {
  const model::System& after;
  std::span<const model::Event> events;
  int64_t step;
  History& history;
  StepCaches* caches;  // null: everything from the state and the history alone
};

// P1: what became visible at each sink so far, with the transaction that made it.
struct ExactlyOnceCache {
  std::map<std::pair<int, model::RecordId>, int64_t> visible;
};

// P7, incremental: records of a source subtask below settled[s] had every
// copy in a covered transaction at an earlier cut, and stay there.
struct ConsistentCutCache {
  bool started = false;
  std::vector<int64_t> settled;  // by source subtask
  std::map<KeyedSlot, int64_t> settled_key_counts;
  std::set<std::pair<int32_t, model::RecordId>> covered;            // records in covered transactions
  std::set<std::pair<int32_t, model::RecordId>> expected_in_store;  // every copy before some cut, at its store
  std::vector<int64_t> uncovered;                                    // transactions not yet covered
  size_t examined = 0;
  std::vector<std::pair<int32_t, model::RecordId>> targets;
};

}  // namespace ckptsim::properties

namespace ckptsim::properties {

struct StepCaches {
  ExactlyOnceCache exactly_once;
  ConsistentCutCache consistent_cut;
};

// The check of each property over one step; each reports into `out` (only
// if `out` holds no violation yet) and keeps its part of the history.
void CheckExactlyOnce(const StepContext& context, std::optional<Violation>& out);
void CheckTopologicalFinish(const StepContext& context, std::optional<Violation>& out);
void CheckTransactionHygiene(const StepContext& context, std::optional<Violation>& out);
void CheckChannelDiscipline(const StepContext& context, std::optional<Violation>& out);
void CheckLifecycleOrder(const StepContext& context, std::optional<Violation>& out);
void CheckConsistentCut(const StepContext& context, std::optional<Violation>& out);
void CheckSavepointCut(const StepContext& context, std::optional<Violation>& out);
void CheckRestoredState(const StepContext& context, std::optional<Violation>& out);
void CheckEventTime(const StepContext& context, std::optional<Violation>& out);

// The end-of-run checks.
void CheckNoDataLossAtEnd(const model::System& system, const RunEnd& end, const History& history,
                          std::optional<Violation>& out);
void CheckTransactionHygieneAtEnd(const model::System& system, const RunEnd& end, std::optional<Violation>& out);
void CheckLifecycleOrderAtEnd(const model::System& system, const RunEnd& end, const History& history,
                              std::optional<Violation>& out);

// A fresh attempt of `subtask`: the per-attempt history of P5, P6 and L3.
SubtaskTrack FreshSubtaskTrack(const model::System& system, int32_t subtask);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_CHECKS_H_
