// What the new version of a job inherits from the old one's records, for
// the properties that follow records across a resume into a changed job
// (model/graph_change.h): P2 no data loss and P7 consistent cut.
//
// The stop's savepoint is a consistent cut of the old job (P8). Walking each
// record before the cut through the old job graph with the model's routing
// functions finds where the savepoint has it: in the store (written by a
// sink) or held by an operator (buffering, window). A held record continues
// in the new job from wherever the restore put it; a held record the restore
// put nowhere is lost. Records past the cut are the new job's to produce.
#ifndef CKPTSIM_PROPERTIES_CARRY_OVER_H_
#define CKPTSIM_PROPERTIES_CARRY_OVER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "model/state.h"

namespace ckptsim::properties {

// One keyed aggregation's count of one key: (subtask, operator in its chain, key).
using KeyedSlot = std::tuple<int32_t, int, int>;

struct HeldRecord {
  int32_t subtask = 0;  // of the new job
  size_t op = 0;        // the operator holding it, in that subtask's chain
  model::RecordId record;
};

struct CarryOver {
  // By subtask of the new job: the first record sequence its source reads
  // (0 for subtasks that are not sources).
  std::vector<int64_t> floor;
  // (store-writing vertex of the new job, record): written before the cut.
  std::set<std::pair<int, model::RecordId>> in_store;
  std::vector<HeldRecord> held;
  // Held before the cut, restored nowhere: described for a report.
  std::vector<std::string> lost;
  // Keyed state restored away from its key's subtask: described for a report.
  std::vector<std::string> misplaced;
  // (subtask of the new job, operator, key) -> what that keyed aggregation
  // must count of the records before the cut, by Flink's rule for keyed state.
  std::map<KeyedSlot, int64_t> key_counts;
  // The store's transactions from here on are the new version's: only those
  // are examined for its cuts.
  size_t first_new_transaction = 0;
};

// REQUIRES: system.graph_change (the job was resumed into its new version).
CarryOver ComputeCarryOver(const model::System& system);

}  // namespace ckptsim::properties

#endif  // CKPTSIM_PROPERTIES_CARRY_OVER_H_
